/** Stable codes of the errors this package throws, for `switch (error.code)`. */
export type BackgroundTasksErrorCode =
  | 'ABORT_ERR'
  | 'LOOPWORK_TASKS_ALREADY_RUN'
  | 'LOOPWORK_TASKS_TIMEOUT'
  | 'LOOPWORK_TASKS_SUPERVISOR_DRAINING'
  | 'LOOPWORK_TASKS_SUPERVISOR_FULL'
  | 'LOOPWORK_TASKS_QUEUE_FULL'
  | 'LOOPWORK_TASKS_QUEUE_CLOSED'
  | 'LOOPWORK_TASKS_UNKNOWN_JOB'
  | 'LOOPWORK_TASKS_JOB_DATA_NOT_JSON'
  | 'LOOPWORK_TASKS_JOB_FAILED'
  | 'LOOPWORK_TASKS_JOB_NOT_FOUND'
  | 'LOOPWORK_TASKS_JOB_TIMEOUT'
  | 'LOOPWORK_TASKS_UNRECOVERABLE'

/** Base class of every error this package throws, so `instanceof BackgroundTasksError` catches them all. */
export class BackgroundTasksError extends Error {
  /** A stable machine-readable code. */
  readonly code: BackgroundTasksErrorCode

  constructor(code: BackgroundTasksErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'BackgroundTasksError'
    this.code = code
  }
}

/** `BackgroundTasks.run()` was called a second time, or `add()` was called after `run()` started. */
export class TasksAlreadyRunError extends BackgroundTasksError {
  constructor(action: 'run' | 'add') {
    super(
      'LOOPWORK_TASKS_ALREADY_RUN',
      action === 'run'
        ? 'BackgroundTasks.run() was already called; a set of background tasks runs once'
        : 'BackgroundTasks.add() was called after run() started; add every task before the response is sent',
    )
    this.name = 'TasksAlreadyRunError'
  }
}

/**
 * A supervised task ran longer than its `timeoutMs`. It is the reason its `signal` aborts with, and
 * the error its handle reports.
 */
export class TaskTimeoutError extends BackgroundTasksError {
  /** The `timeoutMs` that ran out. */
  readonly timeoutMs: number

  constructor(taskName: string, timeoutMs: number) {
    super(
      'LOOPWORK_TASKS_TIMEOUT',
      `Task "${taskName}" did not finish within timeoutMs (${timeoutMs} ms)`,
    )
    this.name = 'TaskTimeoutError'
    this.timeoutMs = timeoutMs
  }
}

/**
 * A supervised task was aborted: through its own `signal`, `handle.abort()`, or because `drain()`
 * reached its deadline. What aborted it is the `cause`. Named `AbortError` like the platform's own.
 */
export class TaskAbortedError extends BackgroundTasksError {
  constructor(taskName: string, reason: unknown) {
    super('ABORT_ERR', `Task "${taskName}" was aborted`, { cause: reason })
    this.name = 'AbortError'
  }
}

/** `spawn()` was called on a supervisor that is draining or has drained. */
export class SupervisorDrainingError extends BackgroundTasksError {
  constructor(supervisorName: string, taskName: string) {
    super(
      'LOOPWORK_TASKS_SUPERVISOR_DRAINING',
      `Supervisor "${supervisorName}" is shutting down (drain() was called) and accepts no new task; "${taskName}" was not started`,
    )
    this.name = 'SupervisorDrainingError'
  }
}

/** `maxActive` tasks already run under this supervisor, so a new one is refused instead of piling up. */
export class SupervisorFullError extends BackgroundTasksError {
  /** The `maxActive` bound that was reached. */
  readonly maxActive: number

  constructor(supervisorName: string, maxActive: number) {
    super(
      'LOOPWORK_TASKS_SUPERVISOR_FULL',
      `Supervisor "${supervisorName}" already runs maxActive (${maxActive}) tasks; raise maxActive or shed load upstream`,
    )
    this.name = 'SupervisorFullError'
    this.maxActive = maxActive
  }
}

/** `add()` found `maxSize` jobs already waiting, so the job was not enqueued. */
export class QueueFullError extends BackgroundTasksError {
  /** The `maxSize` bound that was reached. */
  readonly maxSize: number

  constructor(queueName: string, maxSize: number) {
    super(
      'LOOPWORK_TASKS_QUEUE_FULL',
      `Task queue "${queueName}" already holds maxSize (${maxSize}) waiting jobs; the job was not enqueued`,
    )
    this.name = 'QueueFullError'
    this.maxSize = maxSize
  }
}

/** The queue was closed: `add()` refuses new jobs, and unfinished `result()` waits end with it. */
export class QueueClosedError extends BackgroundTasksError {
  constructor(queueName: string, detail = 'it accepts no new job') {
    super('LOOPWORK_TASKS_QUEUE_CLOSED', `Task queue "${queueName}" is closed; ${detail}`)
    this.name = 'QueueClosedError'
  }
}

/** `add()` named a job that has no handler. */
export class UnknownJobError extends BackgroundTasksError {
  /** The job name that has no handler. */
  readonly jobName: string

  constructor(queueName: string, jobName: string, known: readonly string[]) {
    super(
      'LOOPWORK_TASKS_UNKNOWN_JOB',
      `Task queue "${queueName}" has no handler for job ${JSON.stringify(jobName)}; known jobs: ${known.map((name) => JSON.stringify(name)).join(', ') || '(none)'}`,
    )
    this.name = 'UnknownJobError'
    this.jobName = jobName
  }
}

/**
 * Job data that would not survive `JSON.stringify`/`JSON.parse` unchanged (a function, a BigInt, a
 * cycle, a class instance, NaN...). Rejected at `add()` in both backends, so moving to BullMQ never
 * changes what a handler receives.
 */
export class JobDataError extends BackgroundTasksError {
  /** Where in the data the offending value sits, like `data.user.createdAt`. */
  readonly path: string

  constructor(jobName: string, path: string, problem: string) {
    super(
      'LOOPWORK_TASKS_JOB_DATA_NOT_JSON',
      `Data of job ${JSON.stringify(jobName)} must be JSON-serializable: ${path} ${problem}; nothing was enqueued`,
    )
    this.name = 'JobDataError'
    this.path = path
  }
}

/** What `result(id)` rejects with when the job used up its attempts. The last error is the `cause`. */
export class JobFailedError extends BackgroundTasksError {
  /** The job's id. */
  readonly jobId: string
  /** The job's name. */
  readonly jobName: string
  /** How many attempts ran. */
  readonly attempts: number

  constructor(jobId: string, jobName: string, attempts: number, cause: unknown) {
    super(
      'LOOPWORK_TASKS_JOB_FAILED',
      `Job ${JSON.stringify(jobName)} (id ${jobId}) failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${messageOf(cause)}`,
      { cause },
    )
    this.name = 'JobFailedError'
    this.jobId = jobId
    this.jobName = jobName
    this.attempts = attempts
  }
}

/** `result(id)` was asked about a job the queue does not know (never added, or no longer retained). */
export class JobNotFoundError extends BackgroundTasksError {
  /** The id that was asked about. */
  readonly jobId: string

  constructor(queueName: string, jobId: string) {
    super(
      'LOOPWORK_TASKS_JOB_NOT_FOUND',
      `Task queue "${queueName}" knows no job with id ${JSON.stringify(jobId)} (never added, or finished longer ago than keepCompleted/maxDeadLetters retain)`,
    )
    this.name = 'JobNotFoundError'
    this.jobId = jobId
  }
}

/** A job attempt ran longer than the queue's `timeoutMs`; the attempt fails and may be retried. */
export class JobTimeoutError extends BackgroundTasksError {
  /** The `timeoutMs` that ran out. */
  readonly timeoutMs: number

  constructor(jobName: string, jobId: string, timeoutMs: number) {
    super(
      'LOOPWORK_TASKS_JOB_TIMEOUT',
      `Job ${JSON.stringify(jobName)} (id ${jobId}) did not finish within timeoutMs (${timeoutMs} ms)`,
    )
    this.name = 'JobTimeoutError'
    this.timeoutMs = timeoutMs
  }
}

/**
 * Throw this from a job handler when retrying cannot help (bad input, a permanent refusal): the job
 * fails at once, whatever retries remain. The BullMQ backend maps it to BullMQ's `UnrecoverableError`.
 *
 * @example
 * if (!isValidAddress(job.to)) throw new UnrecoverableJobError(`invalid address ${job.to}`)
 */
export class UnrecoverableJobError extends BackgroundTasksError {
  constructor(message: string, options?: ErrorOptions) {
    super('LOOPWORK_TASKS_UNRECOVERABLE', message, options)
    this.name = 'UnrecoverableJobError'
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
