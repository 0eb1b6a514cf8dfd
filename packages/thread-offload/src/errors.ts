/** Stable codes of the errors this package throws, for `switch (error.code)`. */
export type ThreadOffloadErrorCode =
  | 'ABORT_ERR'
  | 'LOOPWORK_OFFLOAD_UNKNOWN_TASK'
  | 'LOOPWORK_OFFLOAD_WORKER_CRASHED'
  | 'LOOPWORK_OFFLOAD_WORKER_STARTUP'
  | 'LOOPWORK_OFFLOAD_TASK_TIMEOUT'
  | 'LOOPWORK_OFFLOAD_QUEUE_FULL'
  | 'LOOPWORK_OFFLOAD_POOL_CLOSED'

/** Base class of every error the pool itself rejects with, so `instanceof ThreadOffloadError` catches them all. */
export class ThreadOffloadError extends Error {
  /** A stable machine-readable code. */
  readonly code: ThreadOffloadErrorCode

  constructor(code: ThreadOffloadErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ThreadOffloadError'
    this.code = code
  }
}

/** The task module has no exported function of that name. */
export class UnknownTaskError extends ThreadOffloadError {
  /** The name that was asked for. */
  readonly taskName: string
  /** The exported functions the module does have. */
  readonly available: readonly string[]

  constructor(taskName: string, available: readonly string[], module: string) {
    super(
      'LOOPWORK_OFFLOAD_UNKNOWN_TASK',
      `Task "${taskName}" is not an exported function of ${module}; it exports ${
        available.length === 0 ? 'no functions' : available.map((name) => `"${name}"`).join(', ')
      }`,
    )
    this.name = 'UnknownTaskError'
    this.taskName = taskName
    this.available = available
  }
}

/**
 * The thread running this call died: `process.exit()` in the task, an uncaught exception outside
 * it, or running out of memory under `resourceLimits`. Only the call that was running gets this
 * error; the thread is replaced and the calls queued behind it run elsewhere.
 */
export class WorkerCrashedError extends ThreadOffloadError {
  /** The thread's exit code. */
  readonly exitCode: number
  /** The thread's id. */
  readonly threadId: number

  constructor(taskName: string, threadId: number, exitCode: number, cause: unknown) {
    super(
      'LOOPWORK_OFFLOAD_WORKER_CRASHED',
      `The worker thread ${threadId} running task "${taskName}" died (exit code ${exitCode})${
        cause instanceof Error ? `: ${cause.message}` : ''
      }`,
      cause === undefined ? undefined : { cause },
    )
    this.name = 'WorkerCrashedError'
    this.exitCode = exitCode
    this.threadId = threadId
  }
}

/**
 * The task module could not be loaded in a thread (missing file, syntax error, an exception at
 * import). Every call of the pool rejects with it, at once, and the pool spawns no more threads:
 * fix the module and create a new pool.
 */
export class WorkerStartupError extends ThreadOffloadError {
  /** The module that failed to load. */
  readonly module: string

  constructor(module: string, cause: unknown) {
    super(
      'LOOPWORK_OFFLOAD_WORKER_STARTUP',
      `The task module ${module} failed to load in a worker thread${
        cause instanceof Error ? `: ${cause.message}` : ''
      }`,
      { cause },
    )
    this.name = 'WorkerStartupError'
    this.module = module
  }
}

/** The call ran longer than its `timeoutMs`; its thread was terminated and replaced. */
export class TaskTimeoutError extends ThreadOffloadError {
  /** The `timeoutMs` that ran out. */
  readonly timeoutMs: number

  constructor(taskName: string, timeoutMs: number) {
    super(
      'LOOPWORK_OFFLOAD_TASK_TIMEOUT',
      `Task "${taskName}" ran longer than timeoutMs (${timeoutMs} ms); its worker thread was terminated`,
    )
    this.name = 'TaskTimeoutError'
    this.timeoutMs = timeoutMs
  }
}

/** `maxQueue` calls already wait, so this one is shed at once instead of queueing without bound. */
export class PoolQueueFullError extends ThreadOffloadError {
  /** The `maxQueue` bound that was reached. */
  readonly maxQueue: number

  constructor(poolName: string, maxQueue: number) {
    super(
      'LOOPWORK_OFFLOAD_QUEUE_FULL',
      `Worker pool "${poolName}" already has maxQueue (${maxQueue}) calls waiting; raise maxQueue or shed load upstream`,
    )
    this.name = 'PoolQueueFullError'
    this.maxQueue = maxQueue
  }
}

/**
 * The call was cancelled through its `AbortSignal`: removed from the queue, or its thread was
 * terminated when it was already running. The signal's reason is the `cause`. Named `AbortError`
 * like the platform's own, so checks of `error.name === 'AbortError'` work.
 */
export class AbortError extends ThreadOffloadError {
  constructor(taskName: string, reason: unknown) {
    super('ABORT_ERR', `Task "${taskName}" was aborted`, { cause: reason })
    this.name = 'AbortError'
  }
}

/** The pool was closed (no new calls) or destroyed (calls left over are rejected). */
export class PoolClosedError extends ThreadOffloadError {
  constructor(poolName: string, how: 'closed' | 'destroyed') {
    super(
      'LOOPWORK_OFFLOAD_POOL_CLOSED',
      how === 'closed'
        ? `Worker pool "${poolName}" is closed and takes no new calls`
        : `Worker pool "${poolName}" was destroyed before this call finished`,
    )
    this.name = 'PoolClosedError'
  }
}
