import type { LoadContext, TtlCache } from '@loopwork/ttl-cache'
import { UncacheableResponseError } from '../../errors.js'
import type { CachedResponse, CapturedResponse } from '../../types.js'
import { responseCacheTag, variantCacheKey } from './cache-key.js'
import { storageDecision, storedResponse } from './cached-response.js'
import type { CacheableRequest } from './response-cache.js'

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
