/** Which limit a guard found exceeded. */
export type OverloadReason =
  | 'eventLoopDelay'
  | 'eventLoopUtilization'
  | 'heapUsedBytes'
  | 'rssBytes'

/**
 * What `guard.check()` answers. The same frozen object is returned until the state changes, so a
 * check per request allocates nothing.
 */
export interface OverloadStatus {
  /** Whether to shed the request (adapters answer 503 with `Retry-After`). */
  readonly overloaded: boolean
  /** The limit that was exceeded, when overloaded. */
  readonly reason?: OverloadReason
  /** A sentence for logs and response bodies, e.g. `event loop delay (p99) 312 ms exceeds maxEventLoopDelayMs (100)`. */
  readonly message?: string
  /** The `Retry-After` value in seconds, when overloaded. */
  readonly retryAfterSeconds?: number
}

/** One sample of the process's load, taken once per `sampleIntervalMs`. */
export interface LoadSample {
  /** The interval's p99 (or max) event-loop delay, or the sampling timer's own lateness if larger, in ms. */
  readonly eventLoopDelayMs: number
  /** The interval's event-loop utilization, 0..1 (never the since-start figure). */
  readonly eventLoopUtilization: number
  /** `process.memoryUsage().heapUsed`, or 0 when no heap limit is set. */
  readonly heapUsedBytes: number
  /** Resident set size, or 0 when no RSS limit is set. */
  readonly rssBytes: number
}

/** Where a guard's samples come from. */
export interface LoadProbe {
  /** Measures the interval since the previous call. Called from the guard's timer, once per interval. */
  read(): LoadSample
  /** Releases what the probe holds (the default probe disables its delay monitor). */
  close(): void
}

/** A guard's counters and its latest sample. */
export interface OverloadGuardStats {
  readonly overloaded: boolean
  readonly reason: OverloadReason | undefined
  /** Checks answered "overloaded". */
  readonly shed: number
  /** Samples taken. */
  readonly samples: number
  /** The latest sample, `undefined` before the first interval has passed. */
  readonly lastSample: LoadSample | undefined
}

/**
 * Options of `createOverloadGuard()`. Each limit is off unless set; at least one must be set.
 * A limit trips when one sample exceeds it; the guard recovers only after `recoverySamples`
 * samples in a row stay below `recoveryRatio` of every limit (hysteresis, so it does not flap).
 */
export interface OverloadGuardOptions {
  /**
   * Shed while the interval's event-loop delay (p99 by default, see `eventLoopDelayStatistic`)
   * exceeds this many milliseconds.
   *
   * @default undefined (off)
   * @example createOverloadGuard({ maxEventLoopDelayMs: 200 })
   */
  readonly maxEventLoopDelayMs?: number

  /**
   * Shed while the interval's event-loop utilization (0..1] exceeds this. Measured per interval,
   * never since start, so it can still trip after hours of uptime.
   *
   * @default undefined (off)
   * @example createOverloadGuard({ maxEventLoopUtilization: 0.98 })
   */
  readonly maxEventLoopUtilization?: number

  /**
   * Shed while `process.memoryUsage().heapUsed` exceeds this many bytes.
   *
   * @default undefined (off)
   * @example createOverloadGuard({ maxHeapUsedBytes: 1_500_000_000 })
   */
  readonly maxHeapUsedBytes?: number

  /**
   * Shed while the resident set size exceeds this many bytes.
   *
   * @default undefined (off)
   * @example createOverloadGuard({ maxRssBytes: 2_000_000_000 })
   */
  readonly maxRssBytes?: number

  /**
   * The `Retry-After` seconds adapters send with the 503.
   *
   * @default 10
   * @example createOverloadGuard({ maxEventLoopDelayMs: 200, retryAfterSeconds: 5 })
   */
  readonly retryAfterSeconds?: number

  /**
   * How often the guard's one unref'd timer samples the process, in milliseconds. Requests only
   * read the cached verdict.
   *
   * @default 1000
   * @example createOverloadGuard({ maxEventLoopDelayMs: 200, sampleIntervalMs: 500 })
   */
  readonly sampleIntervalMs?: number

  /**
   * Which delay of the interval to judge: `'p99'`, or `'max'` to trip on a single stall.
   *
   * @default 'p99'
   * @example createOverloadGuard({ maxEventLoopDelayMs: 500, eventLoopDelayStatistic: 'max' })
   */
  readonly eventLoopDelayStatistic?: 'p99' | 'max'

  /**
   * Samples in a row below `recoveryRatio` of every limit needed before the guard lets requests in again.
   *
   * @default 2
   * @example createOverloadGuard({ maxEventLoopDelayMs: 200, recoverySamples: 5 })
   */
  readonly recoverySamples?: number

  /**
   * The share of each limit a sample must stay below to count towards recovery, in (0, 1].
   *
   * @default 0.8
   * @example createOverloadGuard({ maxEventLoopUtilization: 0.95, recoveryRatio: 0.7 })
   */
  readonly recoveryRatio?: number

  /**
   * Where samples come from. The default reads this process's event loop
   * (`monitorEventLoopDelay`, `eventLoopUtilization`) and memory; pass your own to add signals or
   * to drive a guard deterministically in tests.
   *
   * @default a probe of this process
   * @example createOverloadGuard({ maxEventLoopUtilization: 0.9, probe: { read: () => sample, close() {} } })
   */
  readonly probe?: LoadProbe
}
