import type { EventEmitter } from 'eventemitter3'

declare const jobNameBrand: unique symbol

/** The default `maxWaiting` of a queue (waiting and delayed jobs), in every backend. */
export const DEFAULT_MAX_WAITING = 10_000
/** The default `keepCompleted`: completed jobs kept for `result(id)` and deduplication. */
export const DEFAULT_KEEP_COMPLETED = 1_000
/** The default `maxDeadLetters`: failed jobs kept in the dead-letter list. */
export const DEFAULT_MAX_DEAD_LETTERS = 1_000
/** The default deadline of `close()`, in milliseconds. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000
/**
 * The default `addTimeoutMs` of the durable backends (BullMQ, SQLite): how long one `add()` waits
 * for its store (Redis to answer, the SQLite file's write lock) before it rejects with a
 * `TimeoutError`.
 */
export const DEFAULT_ADD_TIMEOUT_MS = 5_000
/** The highest `priority` (runs first); the range maps into BullMQ's 1..2,097,151. */
export const MAX_PRIORITY = 1_000_000
/** The lowest `priority` (runs last). */
export const MIN_PRIORITY = -1_000_000

/** What a job handler receives next to the job's data. */
export interface JobContext {
  /** The job's id (a counter, or the `jobId` it was added with). */
  readonly id: string
  /** The job's name (its handler's key). */
  readonly name: string
  /** Which attempt this is, from 1. */
  readonly attempt: number
  /** How many attempts the job may take in all (`retries + 1`). */
  readonly maxAttempts: number
  /**
   * Aborts when the attempt runs out of `timeoutMs`, or when `close()` reaches its deadline while the
   * job still runs. Pass it on so the work stops.
   */
  readonly signal: AbortSignal
}

/**
 * A job handler: the job's JSON data in, a result out (sync or async). A thenable it returns is
 * adopted once: its `then()` is called exactly once.
 */
export type JobHandler<Data = any, Result = unknown> = (
  data: Data,
  job: JobContext,
) => Result | PromiseLike<Result>

/** The handlers of a queue, by job name. Their parameter types type `add()`. */
export type JobHandlers = Record<string, JobHandler>

/** The job names of a handler map. */
export type JobName<H extends JobHandlers> = keyof H & string

/** The data type a job of name `N` takes. */
export type JobData<H extends JobHandlers, N extends JobName<H>> = Parameters<H[N]>[0]

/** The result type a job of name `N` produces. */
export type JobResult<H extends JobHandlers, N extends JobName<H>> = Awaited<ReturnType<H[N]>>

/**
 * A job id as `add()` returns it: a plain string that remembers, for the type checker only, which job
 * it belongs to, so `result(id)` is typed. Any string (say, one read back from a database) is
 * accepted where a `JobId` is expected.
 */
export type JobId<N extends string = string> = string & {
  /** For the type checker only: the job name the id belongs to. No value carries it. */
  readonly [jobNameBrand]?: N
}

/**
 * The arguments of `add()` after the name: data may be left out when the handler takes none (or
 * accepts `null`, which is what a job added without data receives).
 */
export type AddArguments<H extends JobHandlers, N extends JobName<H>> =
  undefined extends JobData<H, N>
    ? [data?: JobData<H, N>, options?: AddJobOptions]
    : null extends JobData<H, N>
      ? [data?: JobData<H, N>, options?: AddJobOptions]
      : [data: JobData<H, N>, options?: AddJobOptions]

/** A job as events, reports and `onError` see it. */
export interface JobInfo {
  /** The job's id (a counter, or the `jobId` it was added with). */
  readonly id: string
  /** The job's name (its handler's key). */
  readonly name: string
  /** The job's data (`null` for a job added without data). */
  readonly data: unknown
  /** Attempts started so far. */
  readonly attempt: number
  /** Attempts allowed in all. */
  readonly maxAttempts: number
  /** The job's priority (higher runs first). */
  readonly priority: number
}

/** How long to wait before a retry. */
export interface BackoffOptions {
  /**
   * `'fixed'` waits `delayMs` before every retry; `'exponential'` waits `delayMs`, then twice that,
   * four times... (BullMQ's formula).
   *
   * @example { type: 'exponential', delayMs: 100 }
   */
  readonly type: 'fixed' | 'exponential'
  /**
   * The base wait in milliseconds, from 0 to 2,147,483,647.
   *
   * @example { type: 'fixed', delayMs: 5_000 }
   */
  readonly delayMs: number
  /**
   * Spreads retries out so failures that happened together do not retry together: `true` picks a
   * wait uniformly between 0 and the computed delay ("full jitter"); a number from 0 to 1 jitters
   * only that fraction of it (BullMQ's `jitter`).
   *
   * @default false
   * @example { type: 'exponential', delayMs: 100, jitter: true }
   */
  readonly jitter?: boolean | number | undefined
  /**
   * The longest wait, whatever the attempt, in milliseconds from 0 to 2,147,483,647.
   *
   * @default 300_000
   * @example { type: 'exponential', delayMs: 100, maxDelayMs: 10_000 }
   */
  readonly maxDelayMs?: number | undefined
}

/** Backoff options with every default filled in (`jitter` as the fraction of the delay). */
export interface ResolvedBackoff {
  /** `'fixed'` or `'exponential'`, as in {@link BackoffOptions.type}. */
  readonly type: 'fixed' | 'exponential'
  /** The base wait in milliseconds. */
  readonly delayMs: number
  /** The fraction of each wait that is jittered, from 0 (none) to 1 (full jitter). */
  readonly jitter: number
  /** The longest wait in milliseconds. */
  readonly maxDelayMs: number
}

/** The backoff used when none is given: exponential from 1 s, full jitter, at most 5 minutes. */
export const DEFAULT_BACKOFF: ResolvedBackoff = Object.freeze({
  type: 'exponential',
  delayMs: 1_000,
  jitter: 1,
  maxDelayMs: 300_000,
})

/** Options every backend shares. */
export interface TaskQueueOptions<H extends JobHandlers> {
  /**
   * One handler per job name. The handlers' parameter types type `add()` and `result()`.
   *
   * @example
   * new TaskQueue({ handlers: { sendEmail: async (mail: { to: string }, job) => send(mail, job.signal) } })
   */
  readonly handlers: H
  /**
   * A name for errors, logs and metrics, repeated as `stats().name`; in the BullMQ backend, the
   * queue's name in Redis (no `:`).
   *
   * @default 'tasks' (required in the BullMQ backend)
   * @example new TaskQueue({ name: 'mail', handlers })
   */
  readonly name?: string | undefined
  /**
   * How many jobs run at once (per process in the SQLite and BullMQ backends); more wait.
   *
   * @default 1 (as BullMQ's worker)
   * @example new TaskQueue({ handlers, concurrency: 8 })
   */
  readonly concurrency?: number | undefined
  /**
   * How many jobs may wait (ready or delayed) before `add()` rejects with `QueueFullError` (its
   * `option` is `'maxWaiting'`). Running jobs do not count, and retries of accepted jobs are never
   * refused. `Infinity` removes the bound.
   *
   * @default 10_000
   * @example new TaskQueue({ handlers, maxWaiting: 1_000 })
   */
  readonly maxWaiting?: number | undefined
  /**
   * How many times a failed attempt is tried again before the job goes to the dead letters.
   *
   * @default 0
   * @example new TaskQueue({ handlers, retries: 3 })
   */
  readonly retries?: number | undefined
  /**
   * The wait before each retry.
   *
   * @default { type: 'exponential', delayMs: 1_000, jitter: true, maxDelayMs: 300_000 }
   * @example new TaskQueue({ handlers, retries: 3, backoff: { type: 'exponential', delayMs: 100, jitter: true } })
   */
  readonly backoff?: BackoffOptions | undefined
  /**
   * Fails an attempt that runs longer than this many milliseconds (1 to 2,147,483,647) with a
   * `TimeoutError` and aborts its signal; the job is retried if it has retries left. `Infinity`, like
   * leaving it out, sets no limit.
   *
   * @default Infinity (no limit)
   * @example new TaskQueue({ handlers, timeoutMs: 30_000 })
   */
  readonly timeoutMs?: number | undefined
  /**
   * How many completed jobs (with their results) are kept for `result(id)` and `jobId`
   * deduplication; the oldest go first. In the BullMQ backend this is `removeOnComplete: { count }`,
   * so Redis does not grow without bound (BullMQ keeps every completed job unless told).
   *
   * @default 1_000
   * @example new TaskQueue({ handlers, keepCompleted: 100 })
   */
  readonly keepCompleted?: number | undefined
  /**
   * How many failed jobs the dead-letter list keeps; the oldest go first. In the BullMQ backend this
   * is `removeOnFail: { count }`.
   *
   * @default 1_000
   * @example new TaskQueue({ handlers, maxDeadLetters: 10_000 })
   */
  readonly maxDeadLetters?: number | undefined
  /**
   * Called once for every job that fails for good, with the job (id, name, data, attempts). An error
   * it throws or rejects with is logged, never lost.
   *
   * @default logs `[loopwork] job "<name>" (id <id>) of queue "<queue>" failed:` and the error, unless
   * a `fail` listener is attached
   * @example new TaskQueue({ handlers, onError: (error, job) => logger.error({ err: error, job: job.name }) })
   */
  readonly onError?: ((error: unknown, job: JobInfo) => void) | undefined
}

/** Options of one `add()`. */
export interface AddJobOptions {
  /**
   * Higher runs first; jobs of equal priority run in the order they were added. An integer from
   * -1,000,000 to 1,000,000.
   *
   * @default 0
   * @example await queue.add('sendEmail', mail, { priority: 10 })
   */
  readonly priority?: number | undefined
  /**
   * Waits this many milliseconds (0 to 2,147,483,647) before the job may start.
   *
   * @default 0
   * @example await queue.add('sendReminder', reminder, { delayMs: 60_000 })
   */
  readonly delayMs?: number | undefined
  /**
   * A caller-chosen id for deduplication: while a job with this id is unfinished or still retained
   * as finished (`keepCompleted`, `maxDeadLetters`), adding it again enqueues nothing and resolves
   * with the same id, in every backend. It must not be an integer and must not contain `:` (both
   * clash with BullMQ's own ids and keys).
   *
   * @default a counter
   * @example await queue.add('chargeOrder', order, { jobId: `charge-${order.id}` })
   */
  readonly jobId?: string | undefined
  /**
   * Overrides the queue's `retries` for this job.
   *
   * @default the queue's `retries`
   * @example await queue.add('sendEmail', mail, { retries: 5 })
   */
  readonly retries?: number | undefined
}

/** Options of `result()`. */
export interface ResultOptions {
  /**
   * Stops waiting (the job itself goes on): the call rejects with an `AbortError` whose `cause` is
   * the signal's reason, at once if the signal already aborted.
   *
   * @example await queue.result(id, { signal: AbortSignal.timeout(5_000) })
   */
  readonly signal?: AbortSignal | undefined
}

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * How long running jobs may take to finish before they are aborted through their signal, in
   * milliseconds from 0 to 2,147,483,647. `Infinity` waits as long as it takes.
   *
   * @default 10_000
   * @example await queue.close({ timeoutMs: 5_000 })
   */
  readonly timeoutMs?: number | undefined
}

/** What `close()` resolves with. */
export interface CloseReport {
  /** Whether the deadline passed with jobs still running. */
  readonly timedOut: boolean
  /**
   * Jobs that were running at the deadline and were aborted through their signal. The SQLite and
   * BullMQ backends have put them back as ready (SQLite) or waiting (BullMQ), with the attempt they
   * were on, for the next worker or the next start.
   */
  readonly aborted: readonly JobInfo[]
  /**
   * Accepted jobs that had not started (delayed, waiting for a retry, or still queued) when the
   * queue closed, with their data. In memory they are handed back: gone from the queue, so nothing
   * accepted is lost silently (store or re-add them). In the SQLite and BullMQ backends they stay
   * stored and run at the next start or in another process; the list says what is left: every job
   * of the queue still ready in the file (SQLite), the queue's waiting and delayed jobs in Redis
   * (BullMQ; at most `maxWaiting`, empty when Redis did not answer before the deadline). There,
   * jobs handed back at the deadline are listed in `aborted` and (SQLite) here too.
   */
  readonly notStarted: readonly JobInfo[]
}

/** A job that used up its attempts, as `deadLetters()` lists it. */
export interface DeadLetter {
  /** The job's id. */
  readonly id: string
  /** The job's name. */
  readonly name: string
  /** The job's data. */
  readonly data: unknown
  /** Attempts made. */
  readonly attempts: number
  /** The last attempt's error (rebuilt from its message and stack in the SQLite and BullMQ backends). */
  readonly error: Error
  /** When it failed for good, in epoch milliseconds. */
  readonly failedAt: number
}

/**
 * A snapshot of a queue, as `stats()` returns it (a fresh object each call). Counters (`completed`,
 * `failed`, `retried`) run since the queue object was created; in the SQLite and BullMQ backends
 * they count what this process's worker did, while `waiting`, `delayed`, `running` and
 * `deadLetters` are queue-wide.
 */
export interface TaskQueueStats {
  /** The queue's name. */
  readonly name: string
  /**
   * Jobs ready to start, waiting for a free slot (or for `resume()`). With `delayed`, what
   * `maxWaiting` bounds.
   */
  readonly waiting: number
  /** Jobs waiting for their `delayMs` or for a retry's backoff. */
  readonly delayed: number
  /** Jobs running right now. */
  readonly running: number
  /** Jobs that succeeded. */
  readonly completed: number
  /** Jobs that failed for good (used up their attempts, or threw `UnrecoverableJobError`). */
  readonly failed: number
  /** Failed attempts that were scheduled again. */
  readonly retried: number
  /** Entries in the dead-letter list right now (bounded by `maxDeadLetters`). */
  readonly deadLetters: number
  /** Whether `pause()` is in effect. */
  readonly paused: boolean
  /** Whether `close()` has been called. */
  readonly closed: boolean
}

/** What a `complete` listener receives. */
export interface TaskQueueCompleteEvent {
  /** The job that succeeded. */
  readonly job: JobInfo
  /** What its handler returned (in the BullMQ backend, as stored in Redis: JSON). */
  readonly result: unknown
}

/** What a `fail` listener receives. */
export interface TaskQueueFailEvent {
  /** The job that failed for good. */
  readonly job: JobInfo
  /** The last attempt's error. */
  readonly error: unknown
}

/** What a `retry` listener receives. */
export interface TaskQueueRetryEvent {
  /** The job whose attempt failed; `attempt` is the attempt that failed. */
  readonly job: JobInfo
  /** The failed attempt's error. */
  readonly error: unknown
  /** How long the job waits before its next attempt, in milliseconds. */
  readonly delayMs: number
}

/** What an `idle` listener receives: nothing yet, an object so fields can be added later. */
export type TaskQueueIdleEvent = Readonly<Record<never, never>>

/**
 * Events of a task queue (eventemitter3). Each listener receives one event object (`error`: the
 * Error). Listeners run synchronously; keep them short. A listener that throws is logged.
 */
export interface TaskQueueEvents {
  /** A job succeeded. */
  complete: [event: TaskQueueCompleteEvent]
  /** A job failed for good and went to the dead letters; emitted next to the `onError` call. */
  fail: [event: TaskQueueFailEvent]
  /** An attempt failed and the job will run again after `delayMs`. */
  retry: [event: TaskQueueRetryEvent]
  /**
   * Nothing is left to do: no job is waiting, delayed or running (queue-wide in the SQLite and
   * BullMQ backends, checked after this process's worker ran out of jobs).
   */
  idle: [event: TaskQueueIdleEvent]
  /**
   * The BullMQ backend lost or could not reach Redis, or the SQLite backend met a database error
   * or lost a job's lease (`LeaseLostError`); the queue keeps retrying.
   */
  error: [error: Error]
}

/**
 * The interface every backend implements, with the same names: the in-memory `TaskQueue` and the
 * ones from `@loopwork/background-tasks/sqlite` and `@loopwork/background-tasks/bullmq`. Code
 * written against it runs on any of them.
 */
export interface TaskQueueApi<H extends JobHandlers> extends EventEmitter<TaskQueueEvents> {
  /** The queue's name (`stats().name`). */
  readonly name: string
  /** Enqueues a job; resolves with its id once it is accepted, never waiting for it to run. */
  add<N extends JobName<H>>(name: N, ...rest: AddArguments<H, N>): Promise<JobId<N>>
  /** Waits for a job's outcome: its handler's result, or `JobFailedError` once it failed for good. */
  result<N extends JobName<H>>(id: JobId<N>, options?: ResultOptions): Promise<JobResult<H, N>>
  /** A snapshot of the queue's state and counters. */
  stats(): TaskQueueStats
  /** A snapshot read now (in the BullMQ backend, the queue-wide counts are read from Redis). */
  refreshStats(): Promise<TaskQueueStats>
  /** The jobs that failed for good and are still retained, oldest first. */
  deadLetters(): Promise<DeadLetter[]>
  /** Resolves once no job is waiting, delayed or running. */
  onIdle(): Promise<void>
  /** Stops starting jobs (in this process); running ones go on. */
  pause(): void
  /** Starts jobs again after `pause()`. */
  resume(): void
  /** Graceful shutdown, bounded by `timeoutMs`; resolves with what was aborted or handed back. */
  close(options?: CloseOptions): Promise<CloseReport>
}
