/** Requests of one method and route that were in flight while the loop was blocked. */
export interface BlockedRequestGroup {
  /** The method, or `undefined` if the request was started without one and is still running. */
  readonly method: string | undefined
  /** The route template, or `undefined` if it was not known yet (the request is still running). */
  readonly route: string | undefined
  /** How many such requests. */
  readonly count: number
}

/** One blocked stretch of the event loop, as `onBlocked` receives it. */
export interface BlockedLoopReport {
  /**
   * How long the loop could run nothing else, in milliseconds: how late the detector's check ran.
   * Accurate to about `checkIntervalMs`.
   */
  readonly durationMs: number
  /** The threshold it crossed. */
  readonly thresholdMs: number
  /** When the block was detected (`Date.now()`). */
  readonly detectedAt: number
  /** Requests in flight when the block was detected, started with or without labels. */
  readonly inFlight: number
  /**
   * The requests in flight during the block, grouped by method and route, most frequent first:
   * those still running, plus those that ended while the loop was still blocked (typically the
   * one whose handler blocked it).
   */
  readonly requests: readonly BlockedRequestGroup[]
}

/** Options of `metrics.detectBlocking()`. */
export interface DetectBlockingOptions {
  /**
   * Report a block when the loop could not run anything else for at least this many milliseconds.
   *
   * @default 100
   * @example metrics.detectBlocking({ thresholdMs: 200, onBlocked: (report) => logger.warn(report) })
   */
  readonly thresholdMs?: number

  /**
   * Called once per block, after it ended (nothing can run during it). Runs synchronously in a timer
   * callback; an error it throws propagates like any error thrown from a timer.
   *
   * @example metrics.detectBlocking({ onBlocked: ({ durationMs, requests }) => console.warn(durationMs, requests) })
   */
  readonly onBlocked: (report: BlockedLoopReport) => void

  /**
   * How often the detector's unref'd timer checks the loop, in milliseconds. Shorter measures a
   * block's duration more precisely and wakes the process more often.
   *
   * @default thresholdMs / 4, between 5 and 50
   * @example metrics.detectBlocking({ thresholdMs: 100, checkIntervalMs: 10, onBlocked })
   */
  readonly checkIntervalMs?: number
}

/** A running blocked-loop detector, as `metrics.detectBlocking()` returns it. */
export interface BlockingDetection {
  /** The threshold in milliseconds. */
  readonly thresholdMs: number
  /** How often the loop is checked, in milliseconds. */
  readonly checkIntervalMs: number
  /** Stops detecting: clears the timer and stops tracking requests in flight. Idempotent. */
  close(): void
}
