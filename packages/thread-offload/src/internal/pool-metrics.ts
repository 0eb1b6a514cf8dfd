import type { DurationSummary } from '../types.js'
import { SampleWindow } from './sample-window.js'

const RUN_TIME_SMOOTHING = 0.05

/** Counters and recent timings of a pool, for `stats()` and for sizing each thread's reserve. */
export class PoolMetrics {
  completed = 0
  failed = 0
  crashed = 0
  /** A moving average of run times, ms; `undefined` until the first call ran. */
  meanRunTime: number | undefined = undefined
  readonly #runTimes = new SampleWindow()
  readonly #waitTimes = new SampleWindow()
  readonly #createdAt = performance.now()
  #totalRunTime = 0

  /** Records one call that ran: how long, and how long it waited before it started. */
  record(durationMs: number, waitMs: number): void {
    this.#runTimes.record(durationMs)
    this.#waitTimes.record(waitMs)
    this.#totalRunTime += durationMs
    const mean = this.meanRunTime
    this.meanRunTime =
      mean === undefined ? durationMs : mean + (durationMs - mean) * RUN_TIME_SMOOTHING
  }

  runTime(): DurationSummary {
    return this.#runTimes.summary()
  }

  waitTime(): DurationSummary {
    return this.#waitTimes.summary()
  }

  /** Share of `maxThreads` x the pool's lifetime spent running tasks. */
  utilization(maxThreads: number): number {
    const lifetime = performance.now() - this.#createdAt
    return lifetime > 0 ? Math.min(1, this.#totalRunTime / (lifetime * maxThreads)) : 0
  }
}
