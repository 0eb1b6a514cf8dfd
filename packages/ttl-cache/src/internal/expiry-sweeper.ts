import { startInterval, timersOutliveRequests } from '@loopwork/internal'

/**
 * The one timer per cache that removes expired entries nobody reads. It is unref'd, runs only while
 * entries that can expire exist, and stops itself once a sweep leaves the cache empty, so a cache
 * that is dropped is not kept alive by its timer for longer than its entries live.
 *
 * Where a timer dies with the request that started it (Cloudflare Workers), an interval armed by
 * one request would never tick once that request answered, and the sweeper would stay "armed" for
 * good; there it keeps no timer, and the insert that comes an interval or more after the last
 * sweep runs the sweep itself.
 */
export class ExpirySweeper {
  readonly #intervalMs: number
  readonly #sweep: () => number
  readonly #timed: boolean
  #timer: ReturnType<typeof setInterval> | undefined
  #stopped = false
  /** Without a timer: when the last sweep ran (or the first arm() came), -1 before that. */
  #sweptAt = -1

  /**
   * @param intervalMs The period, checked against MAX_TIMEOUT_MS already; `0` or `Infinity`: off.
   * @param sweep Removes what has expired and returns how many entries are left.
   * @param timed Whether a timer sweeps; by default, wherever timers outlive requests.
   */
  constructor(intervalMs: number, sweep: () => number, timed: boolean = timersOutliveRequests()) {
    this.#intervalMs = intervalMs
    this.#sweep = sweep
    this.#timed = timed
    // Off for good: arm() then costs one field read.
    if (intervalMs === 0) this.#stopped = true
  }

  /** Whether the timer runs. */
  get armed(): boolean {
    return this.#timer !== undefined
  }

  /**
   * Starts the timer unless it runs, is turned off or was stopped for good; without timers, sweeps
   * when an interval has passed since the last sweep.
   */
  arm(): void {
    if (this.#timer !== undefined || this.#stopped) return
    if (!this.#timed) {
      this.#sweepWhenDue()
      return
    }
    this.#timer = startInterval(this.#tick, this.#intervalMs)
    if (this.#timer === undefined) this.#stopped = true
  }

  /** Stops the timer for good. */
  stop(): void {
    this.#stopped = true
    this.#disarm()
  }

  readonly #tick = (): void => {
    if (this.#sweep() === 0) this.#disarm()
  }

  #sweepWhenDue(): void {
    const now = performance.now()
    if (this.#sweptAt === -1) {
      this.#sweptAt = now
      return
    }
    if (now - this.#sweptAt < this.#intervalMs) return
    this.#sweptAt = now
    this.#sweep()
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }
}
