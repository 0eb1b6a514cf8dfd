import type { Registry } from 'prom-client'

// ---------------------------------------------------------------------------------------------
// Defaults and fixed label values
// ---------------------------------------------------------------------------------------------

/**
 * The default request duration buckets, in seconds: 5 ms to 10 s, the buckets most Prometheus
 * dashboards for HTTP latency are built for.
 */
export const DEFAULT_REQUEST_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
])

/** The default event-loop delay buckets, in seconds: from a busy-but-healthy millisecond to a 5 s stall. */
export const DEFAULT_EVENT_LOOP_DELAY_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
])

/** The buckets of `batcher_batch_size`, in keys per batch. */
export const BATCH_SIZE_BUCKETS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000,
])

/** The `route` label of every request that matched no route: one fixed value, never the request's path. */
export const UNMATCHED_ROUTE = '__unmatched__'

/**
 * The `route` label of requests to routes first seen after `maxRoutes` distinct routes, so a bug
 * that passes raw paths cannot explode cardinality.
 */
export const OVERFLOW_ROUTE = '__overflow__'

/** The `method` label of requests whose method is not one of Node's `http.METHODS`. */
export const OTHER_METHOD = '_OTHER'

// ---------------------------------------------------------------------------------------------
// createMetrics
// ---------------------------------------------------------------------------------------------

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /**
   * The prom-client registry to register in. Share one with your own metrics to serve a single
   * `/metrics`; give each `createMetrics` on a shared registry its own `prefix`.
   *
   * @default a fresh `new Registry()`
   * @example createMetrics({ registry: register }) // prom-client's global registry
   */
  readonly registry?: Registry

  /**
   * Put before every metric name this creates (and before prom-client's default metrics). Must be
   * a valid start of a Prometheus metric name: letters, digits, `_` and `:`, not starting with a digit.
   *
   * @default ''
   * @example createMetrics({ prefix: 'app_' }) // app_http_request_duration_seconds
   */
  readonly prefix?: string

  /**
   * Upper bounds in seconds of the request duration histogram: finite, non-negative, strictly
   * ascending; `+Inf` is added.
   *
   * @default DEFAULT_REQUEST_BUCKETS, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
   * @example createMetrics({ buckets: [0.01, 0.05, 0.1, 0.5, 1, 5] })
   */
  readonly buckets?: readonly number[]

  /**
   * Also register prom-client's default process metrics (CPU, memory, GC, handles). Off by default:
   * they cost a GC observer and a second delay monitor, and this package's event-loop metrics
   * already cover the loop.
   *
   * @default false
   * @example createMetrics({ defaultMetrics: true })
   */
  readonly defaultMetrics?: boolean

  /**
   * Export event-loop delay (histogram and window percentiles) and utilization.
   *
   * @default true
   * @example createMetrics({ eventLoop: false })
   */
  readonly eventLoop?: boolean

  /**
   * Upper bounds in seconds of the event-loop delay histogram.
   *
   * @default DEFAULT_EVENT_LOOP_DELAY_BUCKETS, [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
   * @example createMetrics({ eventLoopBuckets: [0.01, 0.1, 1] })
   */
  readonly eventLoopBuckets?: readonly number[]

  /**
   * Sampling resolution of the event-loop delay monitor: a whole number of milliseconds from 1 to
   * 1000. A finer resolution measures short delays better and wakes the process more often.
   *
   * @default 10
   * @example createMetrics({ eventLoopResolutionMs: 20 })
   */
  readonly eventLoopResolutionMs?: number

  /**
   * Distinct route labels kept (1 to 1,000,000); requests to routes first seen after that are
   * labelled `__overflow__`, so an adapter bug that passes raw paths cannot explode cardinality.
   *
   * @default 1000
   * @example createMetrics({ maxRoutes: 200 })
   */
  readonly maxRoutes?: number

  /**
   * Label status codes by class (`2xx`, `4xx`) instead of the code, for fewer series.
   *
   * @default false
   * @example createMetrics({ groupStatusCodes: true })
   */
  readonly groupStatusCodes?: boolean
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/** What a request is labelled with when it ends. */
export interface RequestLabels {
  /** The HTTP method; normalised to upper case, unknown methods become {@link OTHER_METHOD}. */
  readonly method: string
  /**
   * The matched route template (`/users/:id`), never the raw path. `undefined` or `null` when no
   * route matched: the request is labelled {@link UNMATCHED_ROUTE}.
   */
  readonly route?: string | number | null | undefined
  /** The response status code, 100 to 999, as a number or numeric string. */
  readonly status: number | string
}

/**
 * What is known about a request when it starts. Optional: it only feeds blocked-loop reports, which
 * list the method and route of the requests in flight while the loop was blocked.
 */
export interface RequestStartLabels {
  /** The HTTP method, if known. */
  readonly method?: string | undefined
  /** The route template, if already matched (Fastify knows it at `onRequest`). */
  readonly route?: string | undefined
}

/**
 * Ends a request started by `startRequest()`: records its duration under these labels, takes it
 * out of the in-flight gauge and returns the duration in seconds. Calling it again does nothing
 * and returns the first duration.
 */
export type EndRequest = (labels: RequestLabels) => number

// ---------------------------------------------------------------------------------------------
// track()
// ---------------------------------------------------------------------------------------------

/** Options of `metrics.track()`. */
export interface TrackOptions {
  /**
   * The `name` label of this primitive's series; unique per kind of primitive.
   *
   * @default the primitive's own `name` (every loopwork primitive has one, such as `'limiter'`)
   * @example metrics.track(limiter, { name: 'db' })
   */
  readonly name?: string
}

/** Stops tracking a primitive: detaches its listeners and drops its series. Idempotent. */
export type Untrack = () => void

/*
 * The shapes `track()` recognises. They mirror what the loopwork primitives expose, declared here
 * structurally so this package imports none of them: anything with the same methods can be tracked.
 */

/**
 * Anything with `on` (eventemitter3 or Node's `EventEmitter`); `off` or `removeListener` lets
 * `untrack` detach what `track()` attached.
 */
export interface EventSource {
  /** Adds a listener. */
  on(event: string, listener: (...args: any[]) => void): unknown
  /** Removes a listener (eventemitter3, Node 10+). */
  off?(event: string, listener: (...args: any[]) => void): unknown
  /** Removes a listener, where there is no `off`. */
  removeListener?(event: string, listener: (...args: any[]) => void): unknown
}

/** What `track()` reads from `CapacityLimiter.stats()`. */
export interface LimiterStatsShape {
  /** The limiter's name, the default `name` label. */
  readonly name: string
  /** Tokens in total. Exported as `limiter_tokens`. */
  readonly totalTokens: number
  /** Tokens held right now. Exported as `limiter_tokens_borrowed`. */
  readonly borrowedTokens: number
  /** Tokens free right now. */
  readonly availableTokens: number
  /** Callers waiting for a token. Exported as `limiter_waiting`. */
  readonly waiting: number
  /** Calls running (the same as `borrowedTokens`). */
  readonly running: number
  /** The bound on `waiting`. Exported as `limiter_max_waiting`. */
  readonly maxWaiting: number
  /** Tokens handed out. Exported as `limiter_acquired_total`. */
  readonly acquired: number
  /** Callers shed because the queue was full. Exported as `limiter_rejected_total{reason="queue_full"}`. */
  readonly rejected: number
  /** Waits that timed out. Exported as `limiter_rejected_total{reason="timeout"}`. */
  readonly timedOut: number
  /** Waits cancelled through their signal. Exported as `limiter_rejected_total{reason="abort"}`. */
  readonly aborted: number
}

/** A `CapacityLimiter` (`@loopwork/limiter`), read from `stats()` at scrape time; no listener is attached. */
export interface TrackableLimiter {
  /** Called once per scrape; also once by `track()` to recognise the primitive. */
  stats(): LimiterStatsShape
  /** The default `name` label. */
  readonly name?: string
}

/** What `track()` reads from `WorkerPool.stats()`. */
export interface WorkerPoolStatsShape {
  /** The pool's name, the default `name` label. */
  readonly name: string
  /** Threads alive. Exported as `pool_threads`. */
  readonly threads: number
  /** Threads running a task. Exported as `pool_threads_busy`. */
  readonly busy: number
  /** Calls waiting for a thread. Exported as `pool_queued`. */
  readonly waiting: number
  /** Calls handed to threads. */
  readonly running: number
  /** Calls that resolved. Exported as `pool_tasks_completed_total`. */
  readonly completed: number
  /** Calls that rejected. Exported as `pool_tasks_failed_total`. */
  readonly failed: number
  /** Share of the pool's thread time spent running tasks, 0 to 1. Exported as `pool_utilization`. */
  readonly utilization: number
}

/**
 * A `WorkerPool` (`@loopwork/thread-offload`): counts from `stats()`, and, when it emits them, the
 * events `taskEnd` (`{ durationMs, waitMs }`), `threadSpawn` and `threadExit` (`{ reason }`).
 */
export interface TrackableWorkerPool extends Partial<EventSource> {
  /** Called once per scrape; also once by `track()` to recognise the primitive. */
  stats(): WorkerPoolStatsShape
  /** The default `name` label. */
  readonly name?: string
}

/** What `track()` reads from `TaskQueue.stats()`. */
export interface TaskQueueStatsShape {
  /** The queue's name, the default `name` label. */
  readonly name: string
  /** Jobs ready to run, waiting for a slot. Exported as `queue_waiting`. */
  readonly waiting: number
  /** Jobs running. Exported as `queue_active`. */
  readonly running: number
  /** Jobs that succeeded. Exported as `queue_completed_total`. */
  readonly completed: number
  /** Jobs that failed for good. Exported as `queue_failed_total`. */
  readonly failed: number
  /** Failed attempts that were scheduled again. Exported as `queue_retries_total`. */
  readonly retried: number
  /** Entries in the dead-letter list. Exported as `queue_dead_letters`. */
  readonly deadLetters: number
  /** Jobs waiting for their delay or a retry's backoff. Exported as `queue_delayed` when present. */
  readonly delayed?: number
}

/** A `TaskQueue` (`@loopwork/background-tasks`), read from `stats()` at scrape time. */
export interface TrackableTaskQueue {
  /** Called once per scrape; also once by `track()` to recognise the primitive. */
  stats(): TaskQueueStatsShape
  /** The default `name` label. */
  readonly name?: string
}

/** What `track()` reads from `TaskSupervisor.stats()`. */
export interface TaskSupervisorStatsShape {
  /** The supervisor's name, the default `name` label. */
  readonly name: string
  /** Tasks running. Exported as `background_tasks_active`. */
  readonly running: number
  /** Tasks started. Exported as `background_tasks_started_total`. */
  readonly started: number
  /** Tasks that succeeded. Exported as `background_tasks_succeeded_total`. */
  readonly succeeded: number
  /** Tasks that failed. Exported as `background_tasks_failed_total`. */
  readonly failed: number
  /** Tasks aborted. Exported as `background_tasks_aborted_total`. */
  readonly aborted: number
}

/**
 * A `TaskSupervisor` (`@loopwork/background-tasks`), read from `stats()` at scrape time. Its `fail`
 * event is left alone: failures are counted by `stats()` already.
 */
export interface TrackableTaskSupervisor {
  /** Called once per scrape; also once by `track()` to recognise the primitive. */
  stats(): TaskSupervisorStatsShape
  /** The default `name` label. */
  readonly name?: string
}

/** What `track()` reads from `Batcher.stats()`. */
export interface BatcherStatsShape {
  /** The batcher's name, the default `name` label. */
  readonly name: string
  /** Batches dispatched. Exported as `batcher_batches_total`. */
  readonly batches: number
  /** Keys sent in batches. Exported as `batcher_keys_total`. */
  readonly keys: number
  /** Keys waiting for a batch. Exported as `batcher_pending_keys`. */
  readonly waiting: number
  /** Batches in flight. Exported as `batcher_batches_in_flight`. */
  readonly running: number
  /** The largest batch dispatched so far. */
  readonly largestBatch: number
  /** Batches that failed as a whole. Exported as `batcher_failed_batches_total` when present. */
  readonly failedBatches?: number
  /** Loads shed because too many keys were waiting. Exported as `batcher_rejected_loads_total` when present. */
  readonly rejectedLoads?: number
}

/** A `Batcher` (`@loopwork/batcher`): counts from `stats()`, sizes and durations from its `batch` event (`{ size, durationMs }`). */
export interface TrackableBatcher extends Partial<EventSource> {
  /** Called once per scrape; also once by `track()` to recognise the primitive. */
  stats(): BatcherStatsShape
  /** The default `name` label. */
  readonly name?: string
}

/** What `track()` reads from `TtlCache.stats()`. */
export interface TtlCacheStatsShape {
  /** The cache's name, the default `name` label. */
  readonly name: string
  /** Callers waiting on a load in flight. */
  readonly waiting: number
  /** Loads in flight. */
  readonly running: number
  /** Lookups answered fresh. Exported as `cache_hits_total`. */
  readonly hits: number
  /** Lookups that found no usable entry. Exported as `cache_misses_total`. */
  readonly misses: number
  /** Lookups answered stale. Exported as `cache_stale_hits_total`. */
  readonly staleHits: number
  /** Loader calls. Exported as `cache_loads_total`. */
  readonly loads: number
  /** Loader calls that failed. Exported as `cache_load_errors_total`. */
  readonly loadErrors: number
  /** Entries removed by the cache. Exported as `cache_evictions_total`. */
  readonly evictions: number
  /** Entries held. Exported as `cache_entries`. */
  readonly size: number
}

/** A `TtlCache` (`@loopwork/ttl-cache`), read from `stats()` at scrape time; no listener on its hit path. */
export interface TrackableTtlCache {
  /** Called once per scrape; also once by `track()` to recognise the primitive. */
  stats(): TtlCacheStatsShape
  /** The default `name` label. */
  readonly name?: string
}

/** What `track()` reads from `OverloadGuard.stats()`. */
export interface OverloadGuardStatsShape {
  /** The guard's name, the default `name` label. */
  readonly name: string
  /** Always 0: a guard answers at once. */
  readonly waiting: number
  /** Whether requests are shed now. Exported as `overload_active` (0 or 1). */
  readonly overloaded: boolean
  /** Checks answered "overloaded". Exported as `overload_shed_total`. */
  readonly shed: number
}

/** An overload guard from `createOverloadGuard()`. */
export interface TrackableOverloadGuard {
  /** Called once per scrape; also once by `track()` to recognise the primitive. */
  stats(): OverloadGuardStatsShape
  /** Only checked to exist, so a guard is not taken for another kind. */
  check(): unknown
  /** The default `name` label. */
  readonly name?: string
}

/** Everything `track()` accepts. */
export type TrackablePrimitive =
  | TrackableLimiter
  | TrackableWorkerPool
  | TrackableTaskQueue
  | TrackableTaskSupervisor
  | TrackableBatcher
  | TrackableTtlCache
  | TrackableOverloadGuard

/** The kinds of primitive `track()` knows, as used in the `kind` label of `metrics_collect_errors_total`. */
export type PrimitiveKind =
  | 'limiter'
  | 'pool'
  | 'queue'
  | 'supervisor'
  | 'batcher'
  | 'cache'
  | 'guard'

// ---------------------------------------------------------------------------------------------
// detectBlocking()
// ---------------------------------------------------------------------------------------------

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
   * Report a block when the loop could not run anything else for at least this many milliseconds
   * (1 or more).
   *
   * @default 100
   * @example metrics.detectBlocking({ thresholdMs: 200, onBlocked: (report) => console.warn(report) })
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
   * How often the detector's unref'd timer checks the loop, in milliseconds (1 or more). Shorter
   * measures a block's duration more precisely and wakes the process more often.
   *
   * @default thresholdMs / 4, between 5 and 50
   * @example metrics.detectBlocking({ thresholdMs: 100, checkIntervalMs: 10, onBlocked: console.warn })
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

// ---------------------------------------------------------------------------------------------
// Overload guard
// ---------------------------------------------------------------------------------------------

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

/** A guard's counters and its latest sample, as `stats()` returns them (a fresh object each call). */
export interface OverloadGuardStats {
  /** The guard's name. */
  readonly name: string
  /** Always 0: `check()` answers at once, nothing ever waits on a guard. */
  readonly waiting: number
  /** Whether requests are shed now. */
  readonly overloaded: boolean
  /** The limit that is exceeded, while overloaded. */
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
   * A name for `stats()`, messages and the `name` label when the guard is tracked.
   *
   * @default 'overload-guard'
   * @example createOverloadGuard({ name: 'http', maxEventLoopDelayMs: 200 })
   */
  readonly name?: string

  /**
   * Shed while the interval's event-loop delay (p99 by default, see `eventLoopDelayStatistic`)
   * exceeds this many milliseconds (1 or more).
   *
   * @default undefined (off)
   * @example createOverloadGuard({ maxEventLoopDelayMs: 200 })
   */
  readonly maxEventLoopDelayMs?: number

  /**
   * Shed while the interval's event-loop utilization, in (0, 1], exceeds this. Measured per
   * interval, never since start, so it can still trip after hours of uptime.
   *
   * @default undefined (off)
   * @example createOverloadGuard({ maxEventLoopUtilization: 0.98 })
   */
  readonly maxEventLoopUtilization?: number

  /**
   * Shed while `process.memoryUsage().heapUsed` exceeds this many bytes (a positive integer).
   *
   * @default undefined (off)
   * @example createOverloadGuard({ maxHeapUsedBytes: 1_500_000_000 })
   */
  readonly maxHeapUsedBytes?: number

  /**
   * Shed while the resident set size exceeds this many bytes (a positive integer).
   *
   * @default undefined (off)
   * @example createOverloadGuard({ maxRssBytes: 2_000_000_000 })
   */
  readonly maxRssBytes?: number

  /**
   * The `Retry-After` seconds adapters send with the 503: an integer from 0 to 86400.
   *
   * @default 10
   * @example createOverloadGuard({ maxEventLoopDelayMs: 200, retryAfterSeconds: 5 })
   */
  readonly retryAfterSeconds?: number

  /**
   * How often the guard's one unref'd timer samples the process, in milliseconds (10 or more).
   * Requests only read the cached verdict.
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
   * Samples in a row below `recoveryRatio` of every limit needed before the guard lets requests in
   * again: an integer from 1 to 1000.
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

// ---------------------------------------------------------------------------------------------
// Status page
// ---------------------------------------------------------------------------------------------

/**
 * Options of `metrics.statusPage()`. The adapters of `@loopwork/adapters` take the same options
 * plus `metrics`, with `authorize` typed for their framework's request.
 */
export interface StatusPageOptions<Request = unknown> {
  /**
   * Decides whether a request may see the page, its snapshots and its stream (every route of the
   * mount). Return `false` (or a promise of it) to answer 403. Without it, only clients on the
   * loopback interface are let in, and not through a proxy: a request carrying `Forwarded`,
   * `X-Forwarded-For` or `X-Real-IP` is refused, since a proxy on the same host would make every
   * visitor look local.
   *
   * @default loopback clients only
   * @example metrics.statusPage({ authorize: (request) => request.headers['x-admin-token'] === token })
   */
  readonly authorize?: (request: Request) => boolean | PromiseLike<boolean>

  /**
   * Event streams open at once (0 to 1000). Past it the stream answers 503 and the page polls the
   * JSON snapshot instead, so every tab still updates.
   *
   * @default 10
   * @example metrics.statusPage({ maxClients: 3 })
   */
  readonly maxClients?: number

  /**
   * How often a snapshot is taken and sent, in milliseconds (100 to 60,000). Nothing is sampled
   * while no page is open.
   *
   * @default 1000
   * @example metrics.statusPage({ intervalMs: 2000 })
   */
  readonly intervalMs?: number

  /**
   * How much history the charts keep and a newly opened page receives, in milliseconds: at most
   * 3,600 snapshots (`historyMs / intervalMs`).
   *
   * @default 300_000 (5 minutes)
   * @example metrics.statusPage({ historyMs: 600_000 })
   */
  readonly historyMs?: number

  /**
   * The longest an open stream stays silent, in milliseconds (100 or more): a comment line is sent
   * after that much quiet, below the idle cut-off of proxies and of Bun's server (10 s).
   *
   * @default 5000
   * @example metrics.statusPage({ intervalMs: 30_000, heartbeatMs: 5000 })
   */
  readonly heartbeatMs?: number

  /**
   * The page's heading and the browser tab's title, shown as text.
   *
   * @default 'loopwork status'
   * @example metrics.statusPage({ title: 'catalog (express)' })
   */
  readonly title?: string
}

/** Where a status page request is served from, as the adapters describe it. */
export interface StatusPageRequestContext {
  /**
   * The path below the mount point: `''` or `'/'` for the page, `'/events'` for the stream,
   * `'/snapshot'` for the JSON.
   */
  readonly path: string
  /** What `authorize` receives (the framework's request object). @default the request itself */
  readonly subject?: unknown
  /** The client's address, for the default loopback check where the request does not tell it. */
  readonly remoteAddress?: string | undefined
  /**
   * The server the request came through: its streams end at the next snapshot or heartbeat once it
   * stops listening, so a graceful shutdown is not held up by an open page.
   *
   * @default the request socket's server (`handleNode`), none (`handleFetch`)
   */
  readonly server?:
    | {
        /** False once the server stopped accepting connections (`server.close()` was called). */
        readonly listening: boolean
      }
    | undefined
}
