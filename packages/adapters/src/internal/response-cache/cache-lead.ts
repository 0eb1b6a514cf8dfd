import { MAX_TIMEOUT_MS } from '@loopwork/internal'
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

  /**
   * Stores `captured` if it may be stored; settles the load either way. Never throws: it runs
   * while the handler's response is being sent, which a failure to store must not break.
   */
  finish(captured: CapturedResponse): void {
    if (this.#settled) return
    this.#settled = true
    try {
      this.#resolve(this.#store(captured))
    } catch (error) {
      this.#reject(error)
    }
  }

  /** What the load resolves with: the response, or the marker of its variants; throws to refuse it. */
  #store(captured: CapturedResponse): CachedResponse {
    const decision = storageDecision(captured)
    if (!decision.store) throw new UncacheableResponseError(this.#key, decision.reason)
    const stored = storedResponse(captured, captured.body!)
    const tags = [responseCacheTag(this.#request.url)]
    // A TTL is a timer's delay, at most about 24.8 days; `max-age` a year (common for static files)
    // is kept that long instead of being refused by the cache.
    const ttlMs =
      decision.ttlMs === undefined ? undefined : Math.min(decision.ttlMs, MAX_TIMEOUT_MS)
    this.#context.setTags(tags)
    if (ttlMs !== undefined) this.#context.setTtl(ttlMs)
    if (decision.vary.length === 0 || this.#key !== this.#baseKey) return stored
    // The response varies on request headers: keep it under its variant's key and leave a marker
    // under the base key, so later requests look up their own variant.
    const variantKey = variantCacheKey(this.#baseKey, decision.vary, this.#request.header)
    this.#cache.set(variantKey, stored, ttlMs === undefined ? { tags } : { ttlMs, tags })
    return { kind: 'vary', headers: decision.vary }
  }

  /** Ends the load without a response (the client left before one was produced, or it streamed). */
  abandon(reason = 'no response was captured'): void {
    if (this.#settled) return
    this.#settled = true
    this.#reject(new UncacheableResponseError(this.#key, reason))
  }
}
