import { startTimer } from '@loopwork/internal'
import type { ThreadSet } from './thread-set.js'

/**
 * Stops threads above `minThreads` once they have been idle for `idleTimeoutMs`, longest idle
 * first. One unref'd timer for the whole pool, armed for the next thread due, rather than a timer
 * per thread that would be set and cleared on every call. `idleTimeoutMs` was checked against the
 * longest delay a timer honours, so the timer never fires early and re-arms in a loop.
 */
export class IdleReaper {
  readonly #threads: ThreadSet
  readonly #minThreads: number
  readonly #idleTimeoutMs: number
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(threads: ThreadSet, minThreads: number, idleTimeoutMs: number) {
    this.#threads = threads
    this.#minThreads = minThreads
    this.#idleTimeoutMs = idleTimeoutMs
  }

  /** Arms the timer for the longest idle thread, if a thread may be reaped at all. */
  arm(): void {
    if (this.#timer !== undefined || this.#idleTimeoutMs === Number.POSITIVE_INFINITY) return
    if (this.#threads.live() <= this.#minThreads) return
    const oldest = this.#threads.idleThreads()[0]
    if (oldest === undefined) return
    const delay = Math.max(0, oldest.idleSince + this.#idleTimeoutMs - performance.now())
    this.#timer = startTimer(this.#reap, delay)
  }

  /** Clears the timer, for a pool that stops its threads. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }

  readonly #reap = (): void => {
    this.#timer = undefined
    const now = performance.now()
    let live = this.#threads.live()
    for (const thread of this.#threads.idleThreads()) {
      if (live <= this.#minThreads || now - thread.idleSince < this.#idleTimeoutMs) break
      thread.stop('idle')
      live--
    }
    this.arm()
  }
}
