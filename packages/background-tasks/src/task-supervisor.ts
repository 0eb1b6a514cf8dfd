import { EventEmitter } from 'eventemitter3'
import { ActiveTaskList } from './active-task-list.js'
import { emitSafely, isThenable, logFailure, reportSafely } from './error-reporting.js'
import {
  SupervisorDrainingError,
  SupervisorFullError,
  TaskAbortedError,
  TaskTimeoutError,
} from './errors.js'
import {
  assertDeadline,
  assertInteger,
  assertOptionalFunction,
  assertOptionalMilliseconds,
  assertOptionalName,
  assertOptionalSignal,
  assertOptionsObject,
  describe,
  invalid,
} from './option-validation.js'
import { type SettleListener, SupervisedTaskRun } from './supervised-task.js'
import type {
  DrainOptions,
  DrainReport,
  SpawnOptions,
  SupervisedTask,
  TaskHandle,
  TaskInfo,
  TaskOutcome,
  TaskSupervisorEvents,
  TaskSupervisorOptions,
  TaskSupervisorStats,
} from './task-supervisor-options.js'

/** The default bound on tasks running at once under one supervisor. */
export const DEFAULT_MAX_ACTIVE = 10_000
/** The default time `drain()` waits before aborting what still runs. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000

/**
 * Fire-and-forget without lost errors: the safe `asyncio.create_task` + "keep a reference, add a
 * done callback" pattern. Every spawned task is tracked until it ends; its failure reaches `onError`
 * and the `error` event with its name; no task can ever cause an `unhandledRejection`; `drain()`
 * shuts down gracefully (stop accepting, wait, abort the rest, report).
 *
 * @example
 * const supervisor = new TaskSupervisor({ onError, name: 'jobs' })
 * const handle = supervisor.spawn(({ signal }) => reindex(id, signal), { name: 'reindex', timeoutMs: 60_000 })
 * // on shutdown:
 * const report = await supervisor.drain({ timeoutMs: 10_000 })
 */
export class TaskSupervisor extends EventEmitter<TaskSupervisorEvents> {
  /** The supervisor's name, used in errors, logs and metrics. */
  readonly name: string
  readonly #maxActive: number
  readonly #onError: ((error: unknown, task: TaskInfo) => unknown) | undefined
  readonly #active = new ActiveTaskList()
  #lastId = 0
  #started = 0
  #succeeded = 0
  #failed = 0
  #aborted = 0
  #draining = false
  #resolveIdle: (() => void) | undefined
  readonly #onSettle: SettleListener = (task) => this.#settled(task)

  constructor(options: TaskSupervisorOptions = {}) {
    super()
    assertOptionsObject('options', options)
    this.name = assertOptionalName('name', options.name) ?? 'supervisor'
    assertOptionalFunction('onError', options.onError)
    this.#onError = options.onError
    this.#maxActive =
      options.maxActive === undefined
        ? DEFAULT_MAX_ACTIVE
        : assertInteger('maxActive', options.maxActive, 1, true)
  }

  /** Tasks running right now. */
  get active(): number {
    return this.#active.size
  }

  /** Whether `drain()` has been called; a draining supervisor refuses new tasks. */
  get draining(): boolean {
    return this.#draining
  }

  /** A snapshot of the supervisor's state and counters. */
  stats(): TaskSupervisorStats {
    return {
      name: this.name,
      active: this.#active.size,
      started: this.#started,
      succeeded: this.#succeeded,
      failed: this.#failed,
      aborted: this.#aborted,
      draining: this.#draining,
    }
  }

  /**
   * Starts `task` now (synchronously, in the caller's async context) and tracks it until it ends.
   * Throws `SupervisorDrainingError` after `drain()`, `SupervisorFullError` past `maxActive`, and a
   * `TypeError`/`RangeError` for bad options; nothing is started then.
   */
  spawn<T>(task: SupervisedTask<T>, options?: SpawnOptions): TaskHandle<T> {
    if (typeof task !== 'function') {
      throw invalid(task, `task must be a function, got ${describe(task)}`)
    }
    const name = this.#checkSpawn(task, options)
    const handle = new SupervisedTaskRun<T>(++this.#lastId, name, this.#onSettle)
    const run = handle as unknown as SupervisedTaskRun<unknown>
    this.#active.add(run)
    this.#started++
    if (options !== undefined) this.#arm(run, options)
    if (run.status === 'running') this.#start(run, task)
    return handle
  }

  /**
   * Graceful shutdown: refuses new spawns from now on, waits up to `timeoutMs` for running tasks,
   * then aborts the rest through their signal. Resolves (never rejects) with what finished and what
   * was aborted.
   */
  async drain(options: DrainOptions = {}): Promise<DrainReport> {
    assertOptionsObject('options', options)
    const timeoutMs = assertDeadline('timeoutMs', options.timeoutMs) ?? DEFAULT_DRAIN_TIMEOUT_MS
    this.#draining = true
    const running = this.#active.toArray()
    if (running.length > 0) await this.#idleOrDeadline(timeoutMs)
    const aborted: TaskInfo[] = []
    for (const run of this.#active.toArray()) {
      aborted.push({ id: run.id, name: run.name })
      run.abort(
        new TaskAbortedError(
          run.name,
          `supervisor "${this.name}" drain deadline of ${timeoutMs} ms passed`,
        ),
      )
    }
    const abortedIds = new Set(aborted.map((task) => task.id))
    const finished = running
      .filter((run) => !abortedIds.has(run.id))
      .map((run) => ({
        id: run.id,
        name: run.name,
        status: run.status as TaskOutcome<unknown>['status'],
      }))
    return { finished, aborted, timedOut: aborted.length > 0 }
  }

  #checkSpawn(task: SupervisedTask<unknown>, options: SpawnOptions | undefined): string {
    let name = task.name || 'anonymous'
    if (options !== undefined) {
      assertOptionsObject('options', options)
      name = assertOptionalName('name', options.name) ?? name
      assertOptionalSignal('signal', options.signal)
      assertOptionalMilliseconds('timeoutMs', options.timeoutMs)
    }
    if (this.#draining) throw new SupervisorDrainingError(this.name, name)
    if (this.#active.size >= this.#maxActive)
      throw new SupervisorFullError(this.name, this.#maxActive)
    return name
  }

  #arm(run: SupervisedTaskRun<unknown>, options: SpawnOptions): void {
    const { signal, timeoutMs } = options
    if (signal?.aborted) {
      run.abort(signal.reason)
      return
    }
    // A timeout is a guard, not work: its timer must not keep an otherwise finished process alive.
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => run.expire(new TaskTimeoutError(run.name, timeoutMs)), timeoutMs).unref()
    const onAbort = signal === undefined ? undefined : () => run.abort(signal.reason)
    if (onAbort !== undefined) signal!.addEventListener('abort', onAbort, { once: true })
    if (timer !== undefined || onAbort !== undefined) {
      run.armDisarm(() => {
        if (timer !== undefined) clearTimeout(timer)
        if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort)
      })
    }
  }

  #start(run: SupervisedTaskRun<unknown>, task: SupervisedTask<unknown>): void {
    let returned: unknown
    try {
      returned = task(run)
    } catch (error) {
      run.settle('failed', error)
      return
    }
    if (!isThenable(returned)) {
      run.settle('succeeded', returned)
      return
    }
    // Both reactions are attached at once, so the task's promise always has a handler: a rejection,
    // even one arriving after an abort or a timeout ended the task, can never go unhandled. A foreign
    // thenable goes through Promise.resolve, so a `then` that throws becomes a handled rejection.
    const promise = returned instanceof Promise ? returned : Promise.resolve(returned)
    promise.then(
      (value) => run.settle('succeeded', value),
      (error: unknown) => run.settle('failed', error),
    )
  }

  #settled(run: SupervisedTaskRun<unknown>): void {
    this.#active.remove(run)
    if (run.status === 'succeeded') this.#succeeded++
    else if (run.status === 'aborted') this.#aborted++
    else this.#reportFailure(run, run.settledWith)
    if (this.#active.size === 0 && this.#resolveIdle !== undefined) {
      this.#resolveIdle()
      this.#resolveIdle = undefined
    }
  }

  #reportFailure(run: SupervisedTaskRun<unknown>, error: unknown): void {
    this.#failed++
    const task: TaskInfo = { id: run.id, name: run.name }
    const what = `task "${run.name}" of supervisor "${this.name}"`
    if (this.#onError !== undefined) reportSafely(this.#onError, what, error, task)
    const listened = this.listenerCount('error') > 0
    if (listened) emitSafely(what, () => this.emit('error', error, task))
    if (this.#onError === undefined && !listened) logFailure(what, error)
  }

  #idleOrDeadline(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer =
        timeoutMs === Number.POSITIVE_INFINITY ? undefined : setTimeout(finish, timeoutMs)
      const previous = this.#resolveIdle
      this.#resolveIdle = finish
      function finish(): void {
        if (timer !== undefined) clearTimeout(timer)
        previous?.()
        resolve()
      }
    })
  }
}
