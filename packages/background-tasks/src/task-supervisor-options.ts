/** Identifies a supervised task in reports, events and `onError`. */
export interface TaskInfo {
  /** A number unique within its supervisor, in spawn order from 1. */
  readonly id: number
  /** The task's `name` option, or its function's name, or `'anonymous'`. */
  readonly name: string
}

/** What a task function receives. */
export interface TaskContext {
  /**
   * Aborts when the task's own `signal` aborts, its `timeoutMs` runs out, `handle.abort()` is called,
   * or `drain()` reaches its deadline. Pass it on (to `fetch`, a database driver...) so the work stops.
   */
  readonly signal: AbortSignal
  /** The task's name. */
  readonly name: string
}

/** A function the supervisor runs; sync or async. */
export type SupervisedTask<T> = (context: TaskContext) => T | PromiseLike<T>

/** How a task ended: `done` resolves with one of these and never rejects. */
export type TaskOutcome<T> =
  | { readonly status: 'succeeded'; readonly value: T }
  /** It threw, rejected, or ran out of `timeoutMs` (then `error` is a `TaskTimeoutError`). */
  | { readonly status: 'failed'; readonly error: unknown }
  /** Its `signal` option aborted, `handle.abort()` was called, or `drain()` reached its deadline. */
  | { readonly status: 'aborted'; readonly reason: unknown }

/** What `spawn()` returns. */
export interface TaskHandle<T> extends TaskInfo {
  /** The task's abort signal (the one its function receives). */
  readonly signal: AbortSignal
  /**
   * Resolves with the task's {@link TaskOutcome} when it ends. Never rejects, so ignoring it can
   * never cause an unhandled rejection.
   */
  readonly done: Promise<TaskOutcome<T>>
  /** The outcome once the task has ended, else `undefined`. */
  readonly outcome: TaskOutcome<T> | undefined
  /**
   * The task's value; rejects with its error, or with `TaskAbortedError` if it was aborted. Call it
   * only where you await it: the rejection then belongs to you (failures still reach `onError`).
   */
  result(): Promise<T>
  /** Aborts the task through its signal; the task counts as aborted. Does nothing once it ended. */
  abort(reason?: unknown): void
}

/** Options of one `spawn()`. */
export interface SpawnOptions {
  /**
   * A name for `onError`, the `error` event and reports.
   *
   * @default the function's name, or `'anonymous'`
   * @example supervisor.spawn(work, { name: 'reindex' })
   */
  readonly name?: string | undefined
  /**
   * Aborts the task (its context `signal` aborts with the same reason); the task counts as aborted.
   *
   * @example supervisor.spawn(work, { signal: AbortSignal.timeout(60_000) })
   */
  readonly signal?: AbortSignal | undefined
  /**
   * Fails the task with `TaskTimeoutError` after this many milliseconds and aborts its signal with
   * that error. The failure is reported like any other.
   *
   * @default undefined (no time limit)
   * @example supervisor.spawn(work, { timeoutMs: 30_000 })
   */
  readonly timeoutMs?: number | undefined
}

/** Options of a {@link TaskSupervisor}. */
export interface TaskSupervisorOptions {
  /**
   * A name for error messages, reports and metrics.
   *
   * @default 'supervisor'
   * @example new TaskSupervisor({ name: 'jobs' })
   */
  readonly name?: string | undefined
  /**
   * Called once for every task that fails (throws, rejects or times out), with the task's id and
   * name. Aborted tasks are not failures. An error it throws itself is logged, never lost.
   *
   * @default logs `[loopwork] task "<name>" of supervisor "<supervisor>" failed:` and the error
   * @example new TaskSupervisor({ onError: (error, task) => logger.error({ err: error, task: task.name }) })
   */
  readonly onError?: ((error: unknown, task: TaskInfo) => void) | undefined
  /**
   * How many tasks may run at once; `spawn()` past it throws `SupervisorFullError` instead of letting
   * fire-and-forget work pile up without bound. `Infinity` removes the bound.
   *
   * @default 10_000
   * @example new TaskSupervisor({ maxActive: 500 })
   */
  readonly maxActive?: number | undefined
}

/** Options of `drain()`. */
export interface DrainOptions {
  /**
   * How long to wait for running tasks before aborting the rest. `Infinity` waits as long as it takes.
   *
   * @default 10_000
   * @example await supervisor.drain({ timeoutMs: 5_000 })
   */
  readonly timeoutMs?: number | undefined
}

/** What `drain()` resolves with. */
export interface DrainReport {
  /** Tasks that were running when `drain()` began and ended before the deadline, with how. */
  readonly finished: ReadonlyArray<TaskInfo & { readonly status: TaskOutcome<unknown>['status'] }>
  /** Tasks still running at the deadline, aborted through their signal. */
  readonly aborted: readonly TaskInfo[]
  /** Whether the deadline passed with tasks still running. */
  readonly timedOut: boolean
}

/** A snapshot of a supervisor, as `stats()` returns it. Counters run since the supervisor was created. */
export interface TaskSupervisorStats {
  /** The supervisor's name. */
  readonly name: string
  /** Tasks running right now. */
  readonly active: number
  /** Tasks spawned. */
  readonly started: number
  /** Tasks that returned or resolved. */
  readonly succeeded: number
  /** Tasks that threw, rejected or timed out. */
  readonly failed: number
  /** Tasks aborted through their signal, `abort()` or `drain()`. */
  readonly aborted: number
  /** Whether `drain()` has been called (new spawns are refused). */
  readonly draining: boolean
}

/** Events of a supervisor (eventemitter3). */
export interface TaskSupervisorEvents {
  /** A task failed; emitted next to the `onError` call. */
  error: (error: unknown, task: TaskInfo) => void
}
