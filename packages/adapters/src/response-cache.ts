import type { LoadContext, TtlCache } from '@loopwork/ttl-cache'
import { parseCacheControl } from './cache-control.js'
import { baseCacheKey, responseCacheTag, variantCacheKey } from './cache-key.js'
import {
  type CachedResponse,
  type CapturedResponse,
  type StoredResponse,
  storageDecision,
  storedResponse,
} from './cached-response.js'
import { UncacheableResponseError } from './errors.js'
import { type ResponseCacheOptions, resolveResponseCacheOptions } from './response-cache-options.js'

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
    const { cache, maxBodyBytes } = resolveResponseCacheOptions(options)
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

/**
 * The one request of a miss that runs its handler: `finish()` hands the captured response to the
 * cache (stored, or refused so the waiting requests run their own handler); `abandon()` ends the
 * load when no response could be captured. Only the first call counts.
 */
export class CacheLead {
  readonly promise: Promise<CachedResponse>
  #resolve!: (value: CachedResponse) => void
  #reject!: (error: unknown) => void
  #settled = false
  readonly #cache: TtlCache<string, CachedResponse>
  readonly #key: string
  readonly #baseKey: string
  readonly #request: CacheableRequest
  readonly #context: LoadContext<string>

  constructor(
    cache: TtlCache<string, CachedResponse>,
    key: string,
    baseKey: string,
    request: CacheableRequest,
    context: LoadContext<string>,
  ) {
    this.#cache = cache
    this.#key = key
    this.#baseKey = baseKey
    this.#request = request
    this.#context = context
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
  }

  /** Stores `captured` if it may be stored; resolves the load either way. */
  finish(captured: CapturedResponse): void {
    if (this.#settled) return
    this.#settled = true
    const decision = storageDecision(captured)
    if (!decision.store) {
      this.#reject(new UncacheableResponseError(this.#key, decision.reason))
      return
    }
    const stored = storedResponse(captured, captured.body!)
    const tags = [responseCacheTag(this.#request.url)]
    this.#context.setTags(tags)
    if (decision.ttlMs !== undefined) this.#context.setTtl(decision.ttlMs)
    if (decision.vary.length === 0 || this.#key !== this.#baseKey) {
      this.#resolve(stored)
      return
    }
    // The response varies on request headers: keep it under its variant's key and leave a marker
    // under the base key, so later requests look up their own variant.
    const variantKey = variantCacheKey(this.#baseKey, decision.vary, this.#request.header)
    this.#cache.set(
      variantKey,
      stored,
      decision.ttlMs === undefined ? { tags } : { ttlMs: decision.ttlMs, tags },
    )
    this.#resolve({ kind: 'vary', headers: decision.vary })
  }

  /** Ends the load without a response (the client left before one was produced, or it streamed). */
  abandon(reason = 'no response was captured'): void {
    if (this.#settled) return
    this.#settled = true
    this.#reject(new UncacheableResponseError(this.#key, reason))
  }
}

function ignore(): void {}
