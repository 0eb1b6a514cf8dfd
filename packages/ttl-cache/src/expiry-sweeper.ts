/**
 * The one timer per cache that removes expired entries nobody reads. It is unref'd, runs only while
 * entries that can expire exist, and stops itself once a sweep leaves the cache empty, so a cache
 * that is dropped is not kept alive by its timer for longer than its entries live.
 */
export class ExpirySweeper {
  readonly #intervalMs: number
  readonly #sweep: () => number
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  /** `sweep` removes what has expired and returns how many entries are left. */
  constructor(intervalMs: number, sweep: () => number) {
    this.#intervalMs = intervalMs
    this.#sweep = sweep
  }

  /** Whether the timer runs. */
  get armed(): boolean {
    return this.#timer !== undefined
  }

  /** Starts the timer unless it runs, is turned off (`0`/`Infinity`) or was stopped for good. */
  arm(): void {
    if (this.#timer !== undefined || this.#stopped) return
    if (!(this.#intervalMs > 0 && this.#intervalMs < Number.POSITIVE_INFINITY)) return
    this.#timer = setInterval(() => {
      if (this.#sweep() === 0) this.#disarm()
    }, this.#intervalMs)
    this.#timer.unref()
  }

  /** Stops the timer for good. */
  stop(): void {
    this.#stopped = true
    this.#disarm()
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }
}
