import type { TtlCache } from '@loopwork/ttl-cache'
import { UncacheableResponseError } from '../../errors.js'
import type { CachedResponse, ResponseCacheOptions, StoredResponse } from '../../types.js'
import { parseCacheControl } from './cache-control.js'
import { baseCacheKey, variantCacheKey } from './cache-key.js'
import { CacheLead } from './cache-lead.js'
import { responseCacheSettings } from './response-cache-settings.js'

/** The request as the response cache sees it. */
export interface CacheableRequest {
  readonly method: string
  /** Path and query, as received. */
  readonly url: string
  /** A request header by lower-case name. */
  header(name: string): string | undefined
  /** Aborts the wait for another request's load when this client goes away. */
  readonly signal?: AbortSignal | undefined
}

/** The `X-Cache` value of a response served from the cache. */
export type CacheServe = 'HIT' | 'MISS' | 'STALE'

/** What to do with one request. */
export type CacheLookup =
  /** Not for the cache (method, `no-store`/`no-cache`, `Authorization`...): run the handler. */
  | { readonly action: 'bypass' }
  /** Answer with a stored response (`MISS` when it came from a load this request waited for). */
  | { readonly action: 'serve'; readonly response: StoredResponse; readonly xCache: CacheServe }
  /** Run the handler and hand its response to `lead.finish()` (or `lead.abandon()`). */
  | { readonly action: 'lead'; readonly lead: CacheLead }
  /** The client left while waiting for another request's load: answer nothing. */
  | { readonly action: 'gone' }

const BYPASS: CacheLookup = Object.freeze({ action: 'bypass' })
const GONE: CacheLookup = Object.freeze({ action: 'gone' })

/**
 * The framework-neutral response cache: GET responses in a TtlCache (HEAD answered from them), keyed by method, path,
 * sorted query and the request headers the response names in `Vary`, with single flight: of many
 * concurrent misses, one request runs its handler (the lead) and the others are answered with its
 * response. A stale entry is served at once to every request but the one that refreshes it, which
 * runs its handler and is answered fresh. Relies on TtlCache calling a loader synchronously inside
 * `getOrLoadWithStatus`, which is how the lead is known.
 */
export class ResponseCache {
  readonly #cache: TtlCache<string, CachedResponse>
  /** The largest body stored, in bytes; adapters stop capturing past it. */
  readonly maxBodyBytes: number

  constructor(options: ResponseCacheOptions) {
    const { cache, maxBodyBytes } = responseCacheSettings(options)
    this.#cache = cache
    this.maxBodyBytes = maxBodyBytes
  }

  /** Decides what to do with `request`. Never rejects. */
  lookup(request: CacheableRequest): Promise<CacheLookup> | CacheLookup {
    if (request.method !== 'GET' && request.method !== 'HEAD') return BYPASS
    const directives = parseCacheControl(request.header('cache-control'))
    // A request that asks not to be served from a cache, or carries credentials (a shared cache
    // must not answer one user with another's response), goes straight to its handler.
    if (directives.noStore || directives.noCache || request.header('authorization') !== undefined) {
      return BYPASS
    }
    if (request.method === 'HEAD') return this.#lookupHead(request)
    const baseKey = baseCacheKey(request.method, request.url)
    return this.#lookupKey(baseKey, baseKey, request)
  }

  /**
   * HEAD is answered with the headers of the GET entry when there is one (so `content-length` is
   * the real one) and otherwise goes to the handler; a HEAD response has no body to store.
   */
  #lookupHead(request: CacheableRequest): CacheLookup {
    const baseKey = baseCacheKey('GET', request.url)
    let found = this.#cache.get(baseKey)
    if (found?.kind === 'vary') {
      found = this.#cache.get(variantCacheKey(baseKey, found.headers, request.header))
    }
    return found?.kind === 'response' ? { action: 'serve', response: found, xCache: 'HIT' } : BYPASS
  }

  async #lookupKey(key: string, baseKey: string, request: CacheableRequest): Promise<CacheLookup> {
    let lead: CacheLead | undefined
    const pending = this.#cache.getOrLoadWithStatus(
      key,
      (context) => {
        lead = new CacheLead(this.#cache, key, baseKey, request, context)
        return lead.promise
      },
      { signal: request.signal },
    )
    if (lead !== undefined) {
      // This request's own load (or the refresh of a stale entry): its outcome is what it produces.
      pending.catch(ignore)
      return { action: 'lead', lead }
    }
    let found: Awaited<typeof pending>
    try {
      found = await pending
    } catch (error) {
      return request.signal?.aborted === true && !(error instanceof UncacheableResponseError)
        ? GONE
        : BYPASS
    }
    const value = found.value
    if (value.kind === 'vary') {
      if (key !== baseKey) return BYPASS
      return this.#lookupKey(
        variantCacheKey(baseKey, value.headers, request.header),
        baseKey,
        request,
      )
    }
    return {
      action: 'serve',
      response: value,
      xCache: found.status === 'hit' ? 'HIT' : found.status === 'stale' ? 'STALE' : 'MISS',
    }
  }
}

function ignore(): void {}
