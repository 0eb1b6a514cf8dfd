/** Which task failed, as `onError` receives it. */
export interface BackgroundTaskInfo {
  /** The task function's name (`fn.name`), or `'anonymous'`. */
  readonly name: string
  /** Its place in the order of `add()` calls, from 0. */
  readonly position: number
}

/** Options of {@link BackgroundTasks}. */
export interface BackgroundTasksOptions {
  /**
   * Called once for every task that throws or rejects; the remaining tasks still run. It may be
   * async; an error it throws itself is logged, never lost and never fatal.
   *
   * @default logs `[loopwork] background task "<name>" failed:` and the error to stderr
   * @example
   * new BackgroundTasks({ onError: (error, task) => logger.error({ err: error, task: task.name }) })
   */
  readonly onError?: ((error: unknown, task: BackgroundTaskInfo) => void) | undefined
}

/** What `run()` resolves with. */
export interface BackgroundTasksReport {
  /** Tasks that returned (or resolved). */
  readonly succeeded: number
  /** Tasks that threw (or rejected); each was passed to `onError`. */
  readonly failed: number
  /** Tasks never started because `run()`'s signal aborted first (a shutdown past its deadline). */
  readonly skipped: number
}

/** Options of one {@link BackgroundTasks.run} call. */
export interface RunOptions {
  /**
   * Stops the run between tasks: once it aborts, the tasks not yet started are skipped (counted in
   * `skipped`); the task already running is not interrupted, since a plain function cannot be.
   * The adapters pass the signal their supervisor aborts when a shutdown reaches its deadline.
   *
   * @default undefined (every task runs)
   * @example await tasks.run({ signal: AbortSignal.timeout(5_000) })
   */
  readonly signal?: AbortSignal | undefined
}
