import { startInterval } from '@loopwork/internal'

/**
 * The one timer per cache that removes expired entries nobody reads. It is unref'd, runs only while
 * entries that can expire exist, and stops itself once a sweep leaves the cache empty, so a cache
 * that is dropped is not kept alive by its timer for longer than its entries live.
 */
export class ExpirySweeper {
  readonly #intervalMs: number
  readonly #sweep: () => number
  #timer: ReturnType<typeof setInterval> | undefined
  #stopped = false

  /**
   * @param intervalMs The period, checked against MAX_TIMEOUT_MS already; `0` or `Infinity`: off.
   * @param sweep Removes what has expired and returns how many entries are left.
   */
  constructor(intervalMs: number, sweep: () => number) {
    this.#intervalMs = intervalMs
    this.#sweep = sweep
    // Off for good: arm() then costs one field read.
    if (intervalMs === 0) this.#stopped = true
  }

  /** Whether the timer runs. */
  get armed(): boolean {
    return this.#timer !== undefined
  }

  /** Starts the timer unless it runs, is turned off or was stopped for good. */
  arm(): void {
    if (this.#timer !== undefined || this.#stopped) return
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

  #disarm(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }
}
