import { LoopworkError } from '@loopwork/internal'
import { explainStartupFailure } from './internal/startup-failure.js'

export { UnsupportedRuntimeError } from '@loopwork/internal'
export * from '@loopwork/internal/shared-errors'

/** The task module has no exported function of that name. */
export class UnknownTaskError extends LoopworkError {
  static override readonly code = 'LOOPWORK_UNKNOWN_TASK'
  /** The name that was asked for. */
  declare readonly taskName: string
  /** The exported functions the module does have. */
  declare readonly available: readonly string[]

  constructor(taskName: string, available: readonly string[], module: string) {
    super(
      `Task "${taskName}" is not an exported function of ${module}; it exports ${
        available.length === 0 ? 'no functions' : available.map((name) => `"${name}"`).join(', ')
      }`,
      { name: 'UnknownTaskError' },
      { taskName, available },
    )
  }
}

/**
 * The thread running this call died: `process.exit()` in the task, an uncaught exception outside
 * it, or running out of memory under `resourceLimits`. Only the call that was running gets this
 * error; the thread is replaced and the calls queued behind it run elsewhere.
 */
export class WorkerCrashedError extends LoopworkError {
  static override readonly code = 'LOOPWORK_WORKER_CRASHED'
  /** The thread's exit code. */
  declare readonly exitCode: number
  /** The thread's id. */
  declare readonly threadId: number

  constructor(taskName: string, threadId: number, exitCode: number, cause: unknown) {
    super(
      `The worker thread ${threadId} running task "${taskName}" died (exit code ${exitCode})${
        cause instanceof Error ? `: ${cause.message}` : ''
      }`,
      cause === undefined ? { name: 'WorkerCrashedError' } : { cause, name: 'WorkerCrashedError' },
      { exitCode, threadId },
    )
  }
}

/**
 * The task module could not be loaded in a thread (missing file, syntax error, an exception at
 * import). Every call of the pool rejects with it, at once, and the pool spawns no more threads:
 * fix the module and create a new pool. When the file, or a file it imports, cannot be found, the
 * message names the path and says how to emit the task module from a bundled server.
 */
export class WorkerStartupError extends LoopworkError {
  static override readonly code = 'LOOPWORK_WORKER_STARTUP'
  /** The module that failed to load. */
  declare readonly module: string

  constructor(module: string, cause: unknown) {
    super(explainStartupFailure(module, cause), { cause, name: 'WorkerStartupError' }, { module })
  }
}

/** Which side of a call could not cross between threads. */
export type UncloneablePart = 'arguments' | 'transfer' | 'result'

/**
 * Part of a call cannot cross between threads: its arguments or its result hold something the
 * structured clone algorithm cannot copy (a function, a symbol, a promise, a `WeakMap`...), or its
 * transfer list cannot be used (the same buffer listed twice). Only that call fails; its
 * thread lives on. `path` says where the value sits (`args[0].onDone`, `result.rows[3]`), and
 * `cause` is the platform's `DataCloneError`.
 */
export class UncloneableValueError extends LoopworkError {
  static override readonly code = 'LOOPWORK_UNCLONEABLE'
  /** The task whose call failed. */
  declare readonly taskName: string
  /** What could not cross: the arguments, the transfer list or the result. */
  declare readonly part: UncloneablePart
  /** Where the value that cannot be copied sits, such as `args[1].callback`, when it was found. */
  declare readonly path: string | undefined

  constructor(
    taskName: string,
    part: UncloneablePart,
    path: string | undefined,
    found: string | undefined,
    cause: unknown,
  ) {
    super(
      uncloneableMessage(taskName, part, path, found, cause),
      { cause, name: 'UncloneableValueError' },
      { taskName, part, path },
    )
  }
}

function uncloneableMessage(
  taskName: string,
  part: UncloneablePart,
  path: string | undefined,
  found: string | undefined,
  cause: unknown,
): string {
  // The platform's own words, without their full stop, follow ours.
  const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/\.$/, '')
  if (part === 'transfer')
    return `The transfer list of task "${taskName}" cannot be used: ${reason}`
  const what =
    part === 'arguments'
      ? `The arguments of task "${taskName}" cannot be copied to a worker thread`
      : `The result of task "${taskName}" cannot be copied back from its worker thread`
  const where =
    path === undefined
      ? reason
      : `${path} is ${found}, which structured clone cannot copy (${reason})`
  return `${what}: ${where}. Pass plain data (objects, arrays, strings, numbers, Dates, Maps, Sets, typed arrays)`
}
