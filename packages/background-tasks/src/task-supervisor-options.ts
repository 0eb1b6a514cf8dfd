/** The default `maxRunning`: how many tasks may run at once under one supervisor. */
export const DEFAULT_MAX_RUNNING = 10_000
/** The default deadline of `drain()`, in milliseconds. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000

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

/**
 * A function the supervisor runs; sync or async. A thenable it returns is adopted once: its `then()`
 * is called exactly once.
 */
export type SupervisedTask<T> = (context: TaskContext) => T | PromiseLike<T>

/** How a task ended: `done` resolves with one of these and never rejects. */
export type TaskOutcome<T> =
  | {
      /** It returned, or the promise it returned resolved. */
      readonly status: 'succeeded'
      /** What it returned or resolved with. */
      readonly value: T
    }
  /** It threw, rejected, or ran out of `timeoutMs` (then `error` is a `TimeoutError`). */
  | {
      /** It threw, rejected, or ran out of `timeoutMs`. */
      readonly status: 'failed'
      /** What it threw or rejected with; a `TimeoutError` when it ran out of `timeoutMs`. */
      readonly error: unknown
    }
  /** Its `signal` option aborted, `handle.abort()` was called, or `drain()` reached its deadline. */
  | {
      /** It was aborted through its signal before it ended. */
      readonly status: 'aborted'
      /** The abort reason: the signal's `reason`, or what was passed to `handle.abort()`. */
      readonly reason: unknown
    }

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
   * The task's value; rejects with its error, or with an `AbortError` (whose `cause` is the abort
   * reason) if it was aborted. Call it only where you await it: the rejection then belongs to you
   * (failures still reach `onError`).
   */
  result(): Promise<T>
  /** Aborts the task through its signal; the task counts as aborted. Does nothing once it ended. */
  abort(reason?: unknown): void
}

/** Options of one `spawn()`. */
export interface SpawnOptions {
  /**
   * A name for `onError`, the `fail` event and reports.
   *
   * @default the function's name, or `'anonymous'`
   * @example supervisor.spawn(work, { name: 'reindex' })
   */
  readonly name?: string | undefined
  /**
   * Aborts the task (its context `signal` aborts with the same reason); the task counts as aborted.
   * An already aborted signal ends the task as aborted at once, without running it.
   *
   * @example supervisor.spawn(work, { signal: AbortSignal.timeout(60_000) })
   */
  readonly signal?: AbortSignal | undefined
  /**
   * Fails the task with a `TimeoutError` after this many milliseconds (0 to 2,147,483,647) and aborts
   * its signal with that error. The failure is reported like any other. `Infinity`, like leaving it
   * out, sets no time limit.
   *
   * @default Infinity (no time limit)
   * @example supervisor.spawn(work, { timeoutMs: 30_000 })
   */
  readonly timeoutMs?: number | undefined
}

/** Options of a {@link TaskSupervisor}. */
export interface TaskSupervisorOptions {
  /**
   * A name for error messages, reports and metrics, repeated as `stats().name`.
   *
   * @default 'supervisor'
   * @example new TaskSupervisor({ name: 'jobs' })
   */
  readonly name?: string | undefined
  /**
   * Called once for every task that fails (throws, rejects or times out), with the task's id and
   * name. Aborted tasks are not failures. An error it throws or rejects with is logged, never lost.
   *
   * @default logs `[loopwork] task "<name>" of supervisor "<supervisor>" failed:` and the error
   * @example new TaskSupervisor({ onError: (error, task) => logger.error({ err: error, task: task.name }) })
   */
  readonly onError?: ((error: unknown, task: TaskInfo) => void) | undefined
  /**
   * How many tasks may run at once; `spawn()` past it throws `QueueFullError` (its `option` is
   * `'maxRunning'`) instead of letting fire-and-forget work pile up without bound. `Infinity` removes
   * the bound.
   *
   * @default 10_000
   * @example new TaskSupervisor({ maxRunning: 500 })
   */
  readonly maxRunning?: number | undefined
}

/** Options of `drain()`. */
export interface DrainOptions {
  /**
   * How long to wait for running tasks before aborting the rest, in milliseconds from 0 to
   * 2,147,483,647. `Infinity` waits as long as it takes.
   *
   * @default 10_000
   * @example await supervisor.drain({ timeoutMs: 5_000 })
   */
  readonly timeoutMs?: number | undefined
}

/** What `drain()` resolves with. */
export interface DrainReport {
  /** Tasks that were running when `drain()` began and ended before the deadline, with how. */
  readonly finished: ReadonlyArray<
    TaskInfo & {
      /** How the task ended: `'succeeded'`, `'failed'` or `'aborted'`. */
      readonly status: TaskOutcome<unknown>['status']
    }
  >
  /** Tasks still running at the deadline, aborted through their signal. */
  readonly aborted: readonly TaskInfo[]
  /** Whether the deadline passed with tasks still running. */
  readonly timedOut: boolean
}

/**
 * A snapshot of a supervisor, as `stats()` returns it (a fresh object each call). Counters run since
 * the supervisor was created.
 */
export interface TaskSupervisorStats {
  /** The supervisor's name. */
  readonly name: string
  /** Always 0: a supervisor never makes a task wait (past `maxRunning` it refuses it). */
  readonly waiting: number
  /** Tasks running right now. */
  readonly running: number
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

/** What a `fail` listener receives. */
export interface TaskSupervisorFailEvent {
  /** What the task threw or rejected with, or the `TimeoutError` of its `timeoutMs`. */
  readonly error: unknown
  /** The task that failed. */
  readonly task: TaskInfo
}

/**
 * Events of a supervisor (eventemitter3). Each listener receives one event object. A listener that
 * throws is logged.
 */
export interface TaskSupervisorEvents {
  /** A task failed; emitted next to the `onError` call. */
  fail: [event: TaskSupervisorFailEvent]
}
