import { startTimer, timersOutliveRequests } from '@loopwork/internal'

/**
 * A monotonic millisecond clock that reads `performance.now()` at most once per millisecond: a read
 * is cached and a 1 ms unref'd timer forgets it. An uncached `performance.now()` per lookup would
 * halve the hit rate; this keeps the hit path to a field read. The cost is resolution: during one
 * long synchronous run the time stands still, so an entry may outlive its TTL by the length of that
 * run.
 *
 * Where a timer dies with the request that started it (Cloudflare Workers), a reading is never
 * cached: the timer that forgets it would never fire once that request answered, the clock would
 * stand still for good, and no entry would expire again.
 */
export class CoarseClock {
  /** The cached reading, or -1 when it must be read again. */
  #now = -1
  readonly #caches: boolean
  readonly #forget = (): void => {
    this.#now = -1
  }

  /** @param caches Whether readings are cached; by default, wherever timers outlive requests. */
  constructor(caches: boolean = timersOutliveRequests()) {
    this.#caches = caches
  }

  /** Milliseconds since an arbitrary origin, as `performance.now()`, cached for about 1 ms. */
  now(): number {
    const cached = this.#now
    if (cached !== -1) return cached
    const now = performance.now()
    if (!this.#caches) return now
    this.#now = now
    startTimer(this.#forget, 1)
    return now
  }
}
