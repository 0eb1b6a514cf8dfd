import type { DurationSummary } from './sample-window.js'

/** A snapshot of a pool, as `pool.stats()` returns it. Times are in milliseconds. */
export interface WorkerPoolStatistics {
  /** The pool's name. */
  readonly name: string
  /** Threads alive (starting or ready). */
  readonly threads: number
  /** Threads with at least one call handed to them. */
  readonly busy: number
  readonly minThreads: number
  readonly maxThreads: number
  /** Calls handed to threads (running, or next in line on their thread). */
  readonly running: number
  /** Calls accepted and not yet handed to a thread, including `waitingForToken`. */
  readonly queued: number
  /** Calls waiting for a limiter token. */
  readonly waitingForToken: number
  /** Calls holding a token: `running` plus those queued for a thread. */
  readonly inFlight: number
  /** Calls that resolved. */
  readonly completed: number
  /** Calls that rejected after they were accepted. */
  readonly failed: number
  /** Threads that died on their own (not stopped by the pool). */
  readonly crashed: number
  /** Run time of recent calls (the last 1,024), measured in the thread. */
  readonly runTime: DurationSummary
  /** Wait from the call until a thread started it, for recent calls. */
  readonly waitTime: DurationSummary
  /** Share of the pool's capacity (maxThreads x its lifetime) spent running tasks, 0 to 1. */
  readonly utilization: number
}
