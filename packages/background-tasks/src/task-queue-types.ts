declare const jobNameBrand: unique symbol

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

/** A job handler: the job's JSON data in, a result out (sync or async). */
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
export type JobId<N extends string = string> = string & { readonly [jobNameBrand]?: N }

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
  readonly id: string
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
   * Waits this many milliseconds before the job may start.
   *
   * @default 0
   * @example await queue.add('sendReminder', reminder, { delayMs: 60_000 })
   */
  readonly delayMs?: number | undefined
  /**
   * A caller-chosen id for deduplication: while a job with this id is unfinished or still retained
   * as finished (`keepCompleted`, `maxDeadLetters`), adding it again enqueues nothing and resolves
   * with the same id, in both backends. It must not be an integer and must not contain `:` (both
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
   * Stops waiting (the job itself goes on); the call rejects with the signal's reason.
   *
   * @example await queue.result(id, { signal: AbortSignal.timeout(5_000) })
   */
  readonly signal?: AbortSignal | undefined
}

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * How long running jobs may take to finish before they are aborted through their signal.
   * `Infinity` waits as long as it takes.
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
   * Jobs that were running at the deadline and were aborted through their signal. The BullMQ
   * backend has moved them back to waiting in Redis, for the next worker.
   */
  readonly aborted: readonly JobInfo[]
  /**
   * In-memory backend only: accepted jobs that never started (delayed, waiting for a retry, or still
   * queued at the deadline), with their data, handed back so nothing accepted is lost silently. The
   * BullMQ backend leaves such jobs in Redis, so this list is empty there.
   */
  readonly notStarted: readonly JobInfo[]
}

/** A job that used up its attempts, as `deadLetters()` lists it. */
export interface DeadLetter {
  readonly id: string
  readonly name: string
  readonly data: unknown
  /** Attempts made. */
  readonly attempts: number
  /** The last attempt's error (rebuilt from its message and stack in the BullMQ backend). */
  readonly error: Error
  /** When it failed for good, in epoch milliseconds. */
  readonly failedAt: number
}

/**
 * A snapshot of a queue, as `stats()` returns it. Counters (`completed`, `failed`, `retried`) run
 * since the queue object was created; in the BullMQ backend they count what this process's worker did,
 * while `waiting`, `delayed`, `active` and `deadLetters` are queue-wide.
 */
export interface TaskQueueStats {
  /** The queue's name. */
  readonly name: string
  /** Jobs ready to start, waiting for a free slot (or for `resume()`). */
  readonly waiting: number
  /** Jobs waiting for their `delayMs` or for a retry's backoff. */
  readonly delayed: number
  /** Jobs running right now. */
  readonly active: number
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

/** Events of a task queue (eventemitter3). Listeners run synchronously; keep them short. */
export interface TaskQueueEvents {
  /** A job succeeded. */
  completed: (job: JobInfo, result: unknown) => void
  /** A job failed for good and went to the dead letters; emitted next to the `onError` call. */
  failed: (job: JobInfo, error: unknown) => void
  /** An attempt failed and the job will run again after `delayMs`. */
  retrying: (job: JobInfo, error: unknown, delayMs: number) => void
  /**
   * Nothing is left to do: no job is waiting, delayed or running (queue-wide in the BullMQ backend,
   * checked after this process's worker ran out of jobs).
   */
  drained: () => void
  /** The BullMQ backend lost or could not reach Redis; the queue keeps retrying. */
  error: (error: Error) => void
}

/** The interface both backends implement: the in-memory `TaskQueue` and the BullMQ one. */
export interface TaskQueueApi<H extends JobHandlers> {
  readonly name: string
  add<N extends JobName<H>>(name: N, ...rest: AddArguments<H, N>): Promise<JobId<N>>
  result<N extends JobName<H>>(id: JobId<N>, options?: ResultOptions): Promise<JobResult<H, N>>
  stats(): TaskQueueStats
  refreshStats(): Promise<TaskQueueStats>
  deadLetters(): Promise<DeadLetter[]>
  onIdle(): Promise<void>
  pause(): void
  resume(): void
  close(options?: CloseOptions): Promise<CloseReport>
}
