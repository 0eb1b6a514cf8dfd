// The options of every middleware/plugin, and the shapes they hand back. Shared by the three
// framework subpaths: an option means the same on Express, Fastify and Hono.
import type { BackgroundTasksOptions, TaskSupervisor } from '@loopwork/background-tasks'
import type { Metrics, OverloadGuard } from '@loopwork/metrics'
import type { TaskArgs, TaskModule, TaskName, WorkerPool } from '@loopwork/thread-offload'
import type { TtlCache } from '@loopwork/ttl-cache'

// ---------------------------------------------------------------------------------------------
// Answers the adapters send before a handler runs

/** Why a request was answered 503 before its handler ran. */
export type RefusalReason = 'concurrency-limit' | 'overloaded' | 'pool-saturated' | 'shutting-down'

/**
 * A ready-made 503 answer. Middlewares build theirs once, so refusing a request under overload
 * (when every cycle counts) allocates nothing.
 */
export interface ServiceUnavailable {
  /** Always 503. */
  readonly status: 503
  /** `retry-after`, `content-type` and `cache-control: no-store`. */
  readonly headers: Readonly<Record<string, string>>
  /** A small JSON body naming the reason: `{"error":"Service Unavailable","reason":"..."}`. */
  readonly body: string
}

/** The `Retry-After` the adapters send unless told otherwise, in seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1

/**
 * The status recorded for a request whose client went away before the response was complete
 * ("client closed request"), so such requests are neither lost nor counted as successes.
 */
export const CLIENT_CLOSED_REQUEST = 499

// ---------------------------------------------------------------------------------------------
// Concurrency limit

/** What a request holds while it is admitted: a token, given back once with `release()`. */
export interface AdmissionLease {
  /** Gives the token back. */
  release(): unknown
}

/**
 * The limiter the concurrency limit admits requests through: a `CapacityLimiter` from
 * `@loopwork/limiter`, a `RedisCapacityLimiter` from `@loopwork/limiter/redis` (one limit shared by
 * every instance of a service), or any object of this shape, whichever copy of the package made it.
 */
export interface AdmissionLimiter {
  /** A token at once when one is free, else `undefined`; never waits. */
  tryAcquire(): AdmissionLease | undefined
  /** Waits for a token, bounded by `timeoutMs` and cancelled by `signal`. */
  acquire(options?: {
    signal?: AbortSignal | undefined
    timeoutMs?: number | undefined
  }): Promise<AdmissionLease>
  /** Callers waiting for a token, read to estimate the wait of the next request. */
  readonly waiting?: number
  /** Tokens in total, read to estimate the wait of the next request. */
  readonly totalTokens?: number
}

/** Options of the `concurrencyLimit` middleware/plugin/hook of every adapter. */
export interface ConcurrencyLimitOptions {
  /**
   * The limiter that admits requests: at most `totalTokens` are handled at once, at most
   * `maxWaiting` wait (past that they get 503 at once), and a client that leaves while waiting
   * frees its place without ever taking a token. Share one limiter between routes to share the cap.
   *
   * @example concurrencyLimit({ limiter: new CapacityLimiter({ totalTokens: 40, maxWaiting: 200 }) })
   */
  readonly limiter: AdmissionLimiter

  /**
   * The `Retry-After` of the 503 sent when a request is refused (the limiter's queue is full, its
   * wait would be too long, or it waited too long), in whole seconds.
   *
   * @default 1
   * @example concurrencyLimit({ limiter, retryAfterSeconds: 5 })
   */
  readonly retryAfterSeconds?: number | undefined

  /**
   * Longest time a request may wait for a token, in milliseconds (at most 2,147,483,647;
   * `Infinity` waits as long as it takes). Past it the request leaves the queue and gets 503 with
   * `Retry-After`, so a request never hangs behind clients that hold every token (slow readers of a
   * streamed route, say) until its own client gives up.
   *
   * @default 5_000 (`DEFAULT_WAIT_TIMEOUT_MS`)
   * @example concurrencyLimit({ limiter, timeoutMs: 2_000 })
   */
  readonly timeoutMs?: number | undefined

  /**
   * Refuses a request at once (503 with `Retry-After`) when no token is free and the queue's
   * expected wait is longer than this, in milliseconds, instead of queueing it only for it to time
   * out. The expected wait is `(requests waiting + 1) × recent service time ÷ totalTokens`, where
   * the service time is how long requests held their token (from admission to the end of their
   * response), averaged over the recent ones (each new one weighs 1/5) and shared by every
   * middleware that uses the same limiter. Until a request has finished there is no estimate and
   * nothing is refused for it. `Infinity` turns it off.
   *
   * @default the `timeoutMs` in effect (a request that would most likely time out is refused up front)
   * @example concurrencyLimit({ limiter, timeoutMs: 8_000, maxExpectedWaitMs: 4_000 })
   */
  readonly maxExpectedWaitMs?: number | undefined
}

/**
 * How long a request waits for a token of the concurrency limit unless told otherwise, in
 * milliseconds: long enough for a burst to pass, well below the 10 to 30 s after which clients
 * and proxies commonly give up.
 */
export const DEFAULT_WAIT_TIMEOUT_MS = 5_000

// ---------------------------------------------------------------------------------------------
// Load shedding

/** Options of the `loadShedding` middleware/plugin of every adapter. */
export interface LoadSheddingOptions {
  /**
   * The overload guard whose verdict decides: while it reports overload, requests get 503 with
   * `Retry-After` before any handler runs. Its check is a field read, so the guard costs nothing
   * per request.
   *
   * @example loadShedding({ guard: createOverloadGuard({ maxEventLoopDelayMs: 200 }) })
   */
  readonly guard: Pick<OverloadGuard, 'check'> & {
    /**
     * The guard's own `Retry-After`, in seconds (rounded up), used when the `retryAfterSeconds`
     * option is left out; `createOverloadGuard()` guards have one.
     */
    readonly retryAfterSeconds?: number
  }

  /**
   * Paths (exact, without the query string) that are never shed, so monitoring keeps working
   * while the server sheds load: the scrape and the health check. Replaces the default list.
   *
   * @default ['/metrics', '/health']
   * @example loadShedding({ guard, exempt: ['/metrics', '/healthz', '/readyz'] })
   */
  readonly exempt?: readonly string[] | undefined

  /**
   * The `Retry-After` of shed requests, in whole seconds.
   *
   * @default the guard's own `retryAfterSeconds` (10 for `createOverloadGuard`)
   * @example loadShedding({ guard, retryAfterSeconds: 2 })
   */
  readonly retryAfterSeconds?: number | undefined
}

/** The paths exempt from load shedding unless told otherwise. */
export const DEFAULT_EXEMPT_PATHS: readonly string[] = Object.freeze(['/metrics', '/health'])

// ---------------------------------------------------------------------------------------------
// Request metrics

/** Options of the `requestMetrics` middleware/plugin of every adapter. */
export interface RequestMetricsOptions {
  /**
   * Where requests are recorded: duration by method, matched route template and status, plus the
   * in-flight gauge. Requests that matched no route get the metrics package's one fixed route label.
   *
   * @example requestMetrics({ metrics: createMetrics({ prefix: 'app_' }) })
   */
  readonly metrics: Metrics
}

// ---------------------------------------------------------------------------------------------
// Background tasks

/** Options of the `backgroundTasks` middleware/plugin of every adapter. */
export interface BackgroundTasksMiddlewareOptions {
  /**
   * Called for every task that throws or rejects; the remaining tasks of that response still run.
   *
   * @default logs `[loopwork] background task "<name>" failed:` and the error to stderr, identical
   * errors once per 10 s with a count (see `createErrorLog`)
   * @example backgroundTasks({ onError: (error, task) => logger.error({ err: error, task: task.name }) })
   */
  readonly onError?: BackgroundTasksOptions['onError']

  /**
   * The supervisor every response's tasks run under, so shutdown can wait for them (and abort what
   * is left at its deadline) and its `maxRunning` caps how many responses' tasks run at once.
   *
   * @default a new `TaskSupervisor({ name: 'background-tasks' })`, available as `.supervisor`
   * @example
   * const supervisor = new TaskSupervisor({ name: 'after-response', maxRunning: 1000 })
   * app.use(backgroundTasks({ supervisor }))
   */
  readonly supervisor?: TaskSupervisor | undefined
}

// ---------------------------------------------------------------------------------------------
// Offloaded handlers

/**
 * The `mapArgs` of `offload()`: maps a framework's request (Express `Request`, `FastifyRequest`,
 * Hono `Context`) to the task's argument list, or to a promise of it. What it throws (or rejects
 * with) goes to the framework's error handling, so it can answer 400.
 *
 * @example offload(pool, 'resize', (request) => [request.params.id, Number(request.query.width)])
 */
export type MapArgs<Request, Args> = (request: Request) => Args | PromiseLike<Args>

/** Options of `offload()` in every adapter. */
export interface OffloadOptions {
  /**
   * Longest running time of one call, in milliseconds (at most 2,147,483,647; `Infinity` means no
   * limit); past it the thread is replaced and the client gets 500.
   *
   * @default undefined (no limit)
   * @example offload(pool, 'resize', (request) => [request.body], { timeoutMs: 5_000 })
   */
  readonly timeoutMs?: number | undefined

  /**
   * The `Retry-After` of the 503 sent when the pool (its queue or its limiter) is saturated or
   * closing, in whole seconds.
   *
   * @default 1
   * @example offload(pool, 'report', () => [], { retryAfterSeconds: 5 })
   */
  readonly retryAfterSeconds?: number | undefined

  /**
   * Whether a client that disconnects cancels its call: a queued call leaves the queue; a running
   * one is stopped by replacing its thread (threads cannot be interrupted otherwise), which frees
   * the CPU for clients still waiting but costs a thread start.
   *
   * @default true
   * @example offload(pool, 'fib', (request) => [Number(request.params.n)], { abortOnDisconnect: false })
   */
  readonly abortOnDisconnect?: boolean | undefined

  /**
   * Called with each error a task threw (or a crash, or a timeout): the client only gets a plain
   * 500 without message or stack, so this is where it is seen.
   *
   * @default logs `[loopwork] offloaded task "<name>" failed:` and the error to stderr, identical
   * errors once per 10 s with a count (see `createErrorLog`)
   * @example offload(pool, 'fib', mapArgs, { onError: (error) => logger.error(error) })
   */
  readonly onError?: ((error: unknown) => void) | undefined
}

/**
 * The signature of `offload()` in every adapter, given the framework's request type (what `mapArgs`
 * receives) and route handler type (what `offload()` returns). It is typed from the pool's task
 * module: `task` must be one of the module's exported functions, and `mapArgs` must produce that
 * task's argument list.
 *
 * @example
 * // Express: the request is a Request, the answer a RequestHandler
 * const fib = offload(pool, 'fib', (request) => [Number(request.params.n)])
 */
export type OffloadedHandlerFactory<FrameworkRequest, FrameworkHandler> = <
  M extends TaskModule,
  K extends TaskName<M>,
>(
  pool: WorkerPool<M>,
  task: K,
  mapArgs: MapArgs<FrameworkRequest, [...TaskArgs<M, K>]>,
  options?: OffloadOptions,
) => FrameworkHandler

// ---------------------------------------------------------------------------------------------
// Response cache

/** Options of the `responseCache` middleware/plugin of every adapter. */
export interface ResponseCacheOptions {
  /**
   * Where responses are kept, with its bounds and TTLs: `max`/`maxSize`, `ttlMs` (the default
   * lifetime; a response's own `s-maxage`/`max-age` overrides it) and `staleWhileRevalidateMs`.
   * Concurrent misses of one key run the handler once (single flight).
   *
   * @example
   * const cache = new TtlCache<string, CachedResponse>({ name: 'responses', max: 1_000, ttlMs: 30_000 })
   * app.use(responseCache({ cache }))
   */
  readonly cache: TtlCache<string, CachedResponse>

  /**
   * Responses with a larger body are served but not stored, so one big download cannot evict the
   * rest of the cache. In bytes.
   *
   * @default 1_048_576 (1 MiB)
   * @example responseCache({ cache, maxBodyBytes: 256 * 1024 })
   */
  readonly maxBodyBytes?: number | undefined
}

/** The largest body stored unless told otherwise, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576

/** A response as the response cache stores it in the TtlCache. */
export interface StoredResponse {
  /** Tells a stored response from a {@link VaryMarker} in the same cache. */
  readonly kind: 'response'
  /** Always 200: only 200s are stored. */
  readonly status: number
  /** The response's headers, without hop-by-hop ones, `date`, `content-length` and `x-cache`. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>
  /** The whole body. */
  readonly body: Uint8Array
}

/**
 * Stored under a request's base key once its responses turned out to vary on request headers:
 * the header names to build the variant's key from.
 */
export interface VaryMarker {
  /** Tells a marker from a {@link StoredResponse} in the same cache. */
  readonly kind: 'vary'
  /** The lower-case request header names of the response's `Vary`, sorted. */
  readonly headers: readonly string[]
}

/** The values the response cache keeps in its TtlCache: `TtlCache<string, CachedResponse>`. */
export type CachedResponse = StoredResponse | VaryMarker

/** What an adapter captured of the response a handler produced. */
export interface CapturedResponse {
  /** The status the handler answered with. */
  readonly status: number
  /** The response headers, as the framework holds them. */
  readonly headers: Readonly<Record<string, string | number | readonly string[] | undefined>>
  /** The whole body, or `undefined` when it could not be kept (streamed, or over `maxBodyBytes`). */
  readonly body: Uint8Array | undefined
}

/** The `Cache-Control` directives the response cache acts on. */
export interface CacheDirectives {
  /** `no-store`: never stored, never served from the cache. */
  readonly noStore: boolean
  /** `no-cache`: a request with it bypasses the cache; a response with it is not stored. */
  readonly noCache: boolean
  /** `private`: meant for one user, never stored by this shared cache. */
  readonly private: boolean
  /** `s-maxage` when present (it is meant for shared caches like this one), else `max-age`, in seconds. */
  readonly maxAgeSeconds: number | undefined
}

// ---------------------------------------------------------------------------------------------
// Streaming

/** One piece of a streamed body. Serialize objects yourself (NDJSON, SSE frames...). */
export type StreamChunk = string | Uint8Array

/** An iterable of chunks, sync or async. */
export type ChunkIterable = AsyncIterable<StreamChunk> | Iterable<StreamChunk>

/**
 * What a streaming helper accepts: an iterable, or a function that makes one from a context whose
 * `signal` aborts when the client goes away (useful for sources that wait on events and would
 * otherwise not notice until their next chunk).
 */
export type StreamSource = ChunkIterable | ((context: { signal: AbortSignal }) => ChunkIterable)

/**
 * How a streamed response ended: `completed`; `client-gone` (the client closed the connection);
 * `stalled` (the client stopped reading and was dropped after `drainTimeoutMs`); `failed` (the
 * iterable threw).
 */
export type StreamOutcome = 'completed' | 'client-gone' | 'stalled' | 'failed'

/** Options of the `streamIterable()` helper of every adapter. */
export interface StreamOptions {
  /**
   * The response status, from 200 to 599.
   *
   * @default 200
   * @example streamIterable(response, rows(), { status: 206 })
   */
  readonly status?: number | undefined

  /**
   * The `content-type` of the body.
   *
   * @default 'application/octet-stream'
   * @example streamIterable(response, lines(), { contentType: 'application/x-ndjson' })
   */
  readonly contentType?: string | undefined

  /**
   * Extra response headers.
   *
   * @default {}
   * @example streamIterable(response, csv(), { headers: { 'content-disposition': 'attachment' } })
   */
  readonly headers?: Readonly<Record<string, string>> | undefined

  /**
   * Called when the iterable throws (or yields something that is not a string or bytes). Before the
   * first chunk the client gets a 500; after it the connection is cut, since the status is gone.
   *
   * @default logs `[loopwork] streamed response failed:` and the error to stderr (Fastify: the
   * request's logger), identical errors once per 10 s with a count (see `createErrorLog`)
   * @example streamIterable(response, rows(), { onError: (error) => logger.error(error) })
   */
  readonly onError?: ((error: unknown) => void) | undefined

  /**
   * Longest time to wait for a client to take more of the body, in milliseconds (at most
   * 2,147,483,647; `Infinity` waits as long as it takes). Once the response's buffer is full, a
   * client that has not read enough to drain it within this time is dropped: the connection is
   * closed, the iterable is stopped with `return()`, and whatever the request held (a concurrency
   * limit's token) is released. A client that opens a stream and stops reading would otherwise hold
   * it all for as long as its connection lives.
   *
   * @default 30_000 (`DEFAULT_DRAIN_TIMEOUT_MS`)
   * @example streamIterable(response, rows(), { drainTimeoutMs: 10_000 })
   */
  readonly drainTimeoutMs?: number | undefined
}

/** How long a streamed response waits for a client to drain its buffer unless told otherwise, in milliseconds. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000

// ---------------------------------------------------------------------------------------------
// Error logging

/** Options of `createErrorLog()`. */
export interface ErrorLogOptions {
  /**
   * How long identical errors are counted instead of written, in milliseconds (1 to
   * 2,147,483,647). The first one of a window is written at once; at the end of the window one
   * line says how many identical ones followed.
   *
   * @default 10_000 (`DEFAULT_ERROR_LOG_WINDOW_MS`)
   * @example createErrorLog({ windowMs: 60_000 })
   */
  readonly windowMs?: number | undefined

  /**
   * Where lines go: the message and, for the first of a kind, the error itself (the summary line
   * has no error).
   *
   * @default console.error
   * @example createErrorLog({ write: (message, error) => logger.error({ err: error }, message) })
   */
  readonly write?: ((message: string, error?: unknown) => void) | undefined
}

/** The window in which identical errors are counted instead of written, unless told otherwise, in milliseconds. */
export const DEFAULT_ERROR_LOG_WINDOW_MS = 10_000

/**
 * An error log that writes each distinct error once per window and counts its identical repeats
 * (same message, same stack). The adapters' default error reporting goes through one, to stderr.
 */
export interface ErrorLog {
  /**
   * Writes `message` and `error`, unless the identical error was already written with the same
   * message in this window: then it is only counted, for the summary line at the window's end.
   */
  report(message: string, error: unknown): void
  /** Writes the summary of every error repeated so far and starts a new window. */
  flush(): void
}

// ---------------------------------------------------------------------------------------------
// Graceful shutdown

/**
 * Something to stop at shutdown, recognised by shape so any loopwork primitive (or your own) fits:
 * `drain()` (TaskSupervisor), `close()` (TaskQueue, WorkerPool, overload guard, caches) and, for
 * what does not finish in time, `destroy()` (WorkerPool).
 */
export interface ShutdownResource {
  /** Used in the report; falls back to the class name. */
  readonly name?: string | undefined
  /** Waits for the work in progress, at most `timeoutMs`; preferred over `close()`. */
  drain?(options?: { timeoutMs?: number }): unknown
  /** Stops the resource, waiting at most `timeoutMs`. */
  close?(options?: { timeoutMs?: number }): unknown
  /** Stops at once; called when `drain()`/`close()` did not finish by the deadline. */
  destroy?(): unknown
}

/** What happened to one resource at shutdown. */
export interface ResourceReport {
  /** The resource's `name`, or its class name. */
  readonly name: string
  /**
   * `drained`: it finished in time; `aborted`: the deadline passed and what was left was aborted
   * (listed in `aborted` where the resource reports it); `failed`: stopping it threw.
   */
  readonly outcome: 'drained' | 'aborted' | 'failed'
  /** Work that was aborted, as the resource reported it (a TaskSupervisor's drain report lists tasks). */
  readonly aborted: readonly unknown[]
  /** The error stopping it threw, for `failed`. */
  readonly error?: unknown
}

/** Options of `shutdown()` (Express, Hono) and the `shutdown` plugin (Fastify). */
export interface ShutdownOptions {
  /**
   * The whole budget in milliseconds (at most 2,147,483,647; `Infinity` waits as long as it takes):
   * in-flight requests, then every resource, must be done within it. Connections still open at the
   * deadline are closed; resources still busy are aborted and reported.
   *
   * @default 10_000
   * @example await shutdown(server, { timeoutMs: 25_000 }) // under Kubernetes' 30 s grace period
   */
  readonly timeoutMs?: number | undefined

  /**
   * What to drain once no request runs any more, in order: background-task supervisors, task
   * queues, worker pools, overload guards, caches... Put what produces work before what runs it.
   *
   * @default []
   * @example await shutdown(server, { resources: [tasks.supervisor, emailQueue, pool] })
   */
  readonly resources?: readonly ShutdownResource[] | undefined
}

/** The default budget of a shutdown, in milliseconds. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

/** What `shutdown()` (Express, Hono) and the `shutdown` plugin (Fastify) did. */
export interface ShutdownReport {
  /** Whether anything was cut short by the deadline (connections closed or work aborted). */
  readonly timedOut: boolean
  /** Connections that still had a request in flight at the deadline and were closed. */
  readonly closedConnections: number
  /** One entry per resource, in the order they were drained. */
  readonly resources: readonly ResourceReport[]
}
