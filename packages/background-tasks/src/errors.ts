import { LoopworkError, messageOf, type SharedErrorCode } from '@loopwork/internal'

export * from '@loopwork/internal/shared-errors'

/**
 * Every `code` an error of this package carries, for `switch (error.code)`: the shared ones
 * (`ABORT_ERR`, `LOOPWORK_TIMEOUT`, `LOOPWORK_QUEUE_FULL`, `LOOPWORK_CLOSED`) and this package's own.
 * A bad option is a `TypeError` or `RangeError` with code `LOOPWORK_INVALID_OPTION` instead.
 */
export type BackgroundTasksErrorCode =
  | SharedErrorCode
  | 'LOOPWORK_TASKS_ALREADY_RUN'
  | 'LOOPWORK_UNKNOWN_JOB'
  | 'LOOPWORK_JOB_DATA_NOT_JSON'
  | 'LOOPWORK_JOB_FAILED'
  | 'LOOPWORK_JOB_NOT_FOUND'
  | 'LOOPWORK_UNRECOVERABLE_JOB'
  | 'LOOPWORK_LEASE_LOST'
  | 'LOOPWORK_DATABASE_BUSY'

/** `BackgroundTasks.run()` was called a second time, or `add()` was called after `run()` started. */
export class TasksAlreadyRunError extends LoopworkError {
  static override readonly code = 'LOOPWORK_TASKS_ALREADY_RUN'

  constructor(action: 'run' | 'add') {
    super(
      action === 'run'
        ? 'BackgroundTasks.run() was already called; a set of background tasks runs once'
        : 'BackgroundTasks.add() was called after run() started; add every task before the response is sent',
      { name: 'TasksAlreadyRunError' },
    )
  }
}

/** `add()` named a job that has no handler. */
export class UnknownJobError extends LoopworkError {
  static override readonly code = 'LOOPWORK_UNKNOWN_JOB'

  /** The job name that has no handler. */
  declare readonly jobName: string

  constructor(queueName: string, jobName: string, known: readonly string[]) {
    super(
      `Task queue "${queueName}" has no handler for job ${JSON.stringify(jobName)}; known jobs: ${known.map((name) => JSON.stringify(name)).join(', ') || '(none)'}`,
      { name: 'UnknownJobError' },
      { jobName },
    )
  }
}

/**
 * Job data that would not survive `JSON.stringify`/`JSON.parse` unchanged (a function, a BigInt, a
 * cycle, a class instance, NaN, a property set to `undefined`...). Refused at `add()` in both
 * backends, so moving to BullMQ never changes what a handler receives.
 */
export class JobDataError extends LoopworkError {
  static override readonly code = 'LOOPWORK_JOB_DATA_NOT_JSON'

  /** Where in the data the offending value sits, like `data.user.createdAt`. */
  declare readonly path: string

  constructor(jobName: string, path: string, problem: string) {
    super(
      `Data of job ${JSON.stringify(jobName)} must be JSON-serializable: ${path} ${problem}; nothing was enqueued`,
      { name: 'JobDataError' },
      { path },
    )
  }
}

/** What `result(id)` rejects with when the job used up its attempts. The last error is the `cause`. */
export class JobFailedError extends LoopworkError {
  static override readonly code = 'LOOPWORK_JOB_FAILED'

  /** The job's id. */
  declare readonly jobId: string
  /** The job's name. */
  declare readonly jobName: string
  /** How many attempts ran. */
  declare readonly attempts: number

  constructor(jobId: string, jobName: string, attempts: number, cause: unknown) {
    super(
      `Job ${JSON.stringify(jobName)} (id ${jobId}) failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${messageOf(cause)}`,
      { cause, name: 'JobFailedError' },
      { jobId, jobName, attempts },
    )
  }
}

/** `result(id)` was asked about a job the queue does not know (never added, or no longer retained). */
export class JobNotFoundError extends LoopworkError {
  static override readonly code = 'LOOPWORK_JOB_NOT_FOUND'

  /** The id that was asked about. */
  declare readonly jobId: string

  constructor(queueName: string, jobId: string) {
    super(
      `Task queue "${queueName}" knows no job with id ${JSON.stringify(jobId)} (never added, or finished longer ago than keepCompleted/maxDeadLetters retain)`,
      { name: 'JobNotFoundError' },
      { jobId },
    )
  }
}

/**
 * Throw this from a job handler when retrying cannot help (bad input, a permanent refusal): the job
 * fails at once, whatever retries remain. The BullMQ backend maps it to BullMQ's `UnrecoverableError`.
 *
 * @example
 * import { UnrecoverableJobError } from '@loopwork/background-tasks'
 *
 * function checkAddress(to: string): void {
 *   if (!to.includes('@')) throw new UnrecoverableJobError(`invalid address ${to}`)
 * }
 */
export class UnrecoverableJobError extends LoopworkError {
  static override readonly code = 'LOOPWORK_UNRECOVERABLE_JOB'

  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, name: 'UnrecoverableJobError' })
  }
}

/**
 * SQLite backend: a worker's lease on a running job ran out before the attempt ended, so the job
 * may run (or already runs) elsewhere. It is the abort reason of the attempt's signal when the
 * worker finds its lease gone (its event loop was blocked past `lockDurationMs`, or it could not
 * reach the database), the `error` event when an attempt's late outcome is discarded rather than
 * written over the newer attempt, and the dead letter's error of a job taken back from dead or
 * stuck workers more than `maxStalledCount` times.
 */
export class LeaseLostError extends LoopworkError {
  static override readonly code = 'LOOPWORK_LEASE_LOST'

  /** The job's id. */
  declare readonly jobId: string
  /** The job's name. */
  declare readonly jobName: string

  constructor(message: string, jobId: string, jobName: string) {
    super(message, { name: 'LeaseLostError' }, { jobId, jobName })
  }
}

/**
 * SQLite backend: the database file's write lock could not be taken for `addInTransaction()` or
 * `transaction()` on your connection ("database is locked": another process held it past your
 * connection's busy timeout, or your deferred transaction read data another connection has since
 * changed). Nothing of the transaction may be kept: roll it back and run it again. The SQLite
 * error is the `cause`.
 */
export class DatabaseBusyError extends LoopworkError {
  static override readonly code = 'LOOPWORK_DATABASE_BUSY'

  constructor(message: string, cause: unknown) {
    super(message, { cause, name: 'DatabaseBusyError' })
  }
}
