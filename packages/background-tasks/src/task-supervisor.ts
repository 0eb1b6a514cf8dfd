import {
  AbortError,
  adoptThenable,
  ClosedError,
  LinkedList,
  QueueFullError,
  startTimer,
  TimeoutError,
} from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { EventEmitter } from 'eventemitter3'
import { emitSafely, logFailure, reportSafely } from './internal/error-reporting.js'
import { type SettleListener, SupervisedTaskRun } from './internal/supervised-task.js'
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_RUNNING,
  type DrainOptions,
  type DrainReport,
  type SpawnOptions,
  type SupervisedTask,
  type TaskHandle,
  type TaskInfo,
  type TaskOutcome,
  type TaskSupervisorEvents,
  type TaskSupervisorOptions,
  type TaskSupervisorStats,
} from './task-supervisor-options.js'

type Run = SupervisedTaskRun<unknown>

const supervisorSchema = {
  name: option.name,
  onError: option.function,
  maxRunning: option.integer({ min: 1, infinity: true }),
}
const spawnSchema = { name: option.name, ...option.waitSchema }
const drainSchema = { timeoutMs: option.duration({ infinity: true }) }

/**
 * Fire-and-forget without lost errors: every spawned task is tracked until it ends; its failure
 * reaches `onError` and the `fail` event with its name; no task can ever cause an
 * `unhandledRejection`; `drain()` shuts down gracefully (stop accepting, wait, abort the rest,
 * report). A bound (`maxRunning`) refuses work instead of letting it pile up.
 *
 * @example
 * import { TaskSupervisor } from '@loopwork/background-tasks'
 *
 * const supervisor = new TaskSupervisor({ name: 'jobs', onError: (error) => console.error(error) })
 * supervisor.spawn(({ signal }) => fetch('https://example.com/warm', { signal }), {
 *   name: 'warm-cache',
 *   timeoutMs: 60_000,
 * })
 * // on shutdown:
 * const report = await supervisor.drain({ timeoutMs: 10_000 })
 */
export class TaskSupervisor extends EventEmitter<TaskSupervisorEvents> {
  /** The supervisor's name (the `name` option), used in errors, logs, metrics and `stats().name`. */
  readonly name: string
  readonly #maxRunning: number
  readonly #onError: ((error: unknown, task: TaskInfo) => unknown) | undefined
  /** The running tasks, linked through the tasks themselves: no allocation per spawn. */
  readonly #running = new LinkedList<Run>()
  #lastId = 0
  #started = 0
  #succeeded = 0
  #failed = 0
  #aborted = 0
  #draining = false
  #resolveIdle: (() => void) | undefined
  readonly #onSettle: SettleListener = (task) => this.#settled(task)

  /** Throws a `TypeError` or `RangeError` (code `LOOPWORK_INVALID_OPTION`) for a bad or unknown option. */
  constructor(options?: TaskSupervisorOptions) {
    super()
    option.check('TaskSupervisor options', options, supervisorSchema)
    this.name = options?.name ?? 'supervisor'
    this.#onError = options?.onError
    this.#maxRunning = options?.maxRunning ?? DEFAULT_MAX_RUNNING
  }

  /** Tasks running right now. */
  get running(): number {
    return this.#running.length
  }

  /** Whether `drain()` has been called; a draining supervisor refuses new tasks. */
  get draining(): boolean {
    return this.#draining
  }

  /** A snapshot of the supervisor's state and counters, as a fresh object. */
  stats(): TaskSupervisorStats {
    return {
      name: this.name,
      waiting: 0,
      running: this.#running.length,
      started: this.#started,
      succeeded: this.#succeeded,
      failed: this.#failed,
      aborted: this.#aborted,
      draining: this.#draining,
    }
  }

  /**
   * Starts `task` now (synchronously, in the caller's async context) and tracks it until it ends.
   * Throws `ClosedError` after `drain()`, `QueueFullError` past `maxRunning`, and a
   * `TypeError`/`RangeError` (code `LOOPWORK_INVALID_OPTION`) for a bad or unknown option; nothing
   * is started then. With an already aborted `signal`, the task ends as aborted without running.
   */
  spawn<T>(task: SupervisedTask<T>, options?: SpawnOptions): TaskHandle<T> {
    option.function('task', task)
    const name = this.#checkSpawn(task, options)
    const handle = new SupervisedTaskRun<T>(++this.#lastId, name, this.name, this.#onSettle)
    const run = handle as unknown as Run
    this.#running.push(run)
    this.#started++
    if (options !== undefined) this.#arm(run, options)
    if (run.status === 'running') this.#start(run, task)
    return handle
  }

  /**
   * Graceful shutdown: refuses new spawns from now on, waits up to `timeoutMs` for running tasks,
   * then aborts the rest through their signal (with an `AbortError`). Resolves (never rejects for
   * the tasks' sake) with what finished and what was aborted; rejects only for bad options.
   */
  async drain(options?: DrainOptions): Promise<DrainReport> {
    const timeoutMs =
      option.check('drain() options', options, drainSchema)?.timeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS
    this.#draining = true
    const running = this.#runningTasks()
    if (running.length > 0) await this.#idleOrDeadline(timeoutMs)
    const aborted: TaskInfo[] = []
    for (const run of this.#runningTasks()) {
      aborted.push({ id: run.id, name: run.name })
      run.abort(
        new AbortError(
          `Task "${run.name}" of supervisor "${this.name}" was aborted: the drain() deadline passed`,
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
      option.check('spawn() options', options, spawnSchema)
      name = options.name ?? name
    }
    if (this.#draining) {
      throw new ClosedError(
        `Supervisor "${this.name}" is shutting down (drain() was called) and accepts no new task; "${name}" was not started`,
      )
    }
    if (this.#running.length >= this.#maxRunning) {
      throw new QueueFullError(
        `Supervisor "${this.name}" already runs maxRunning (${this.#maxRunning}) tasks; "${name}" was not started. Raise maxRunning or shed load upstream`,
        'maxRunning',
        this.#maxRunning,
      )
    }
    return name
  }

  #arm(run: Run, options: SpawnOptions): void {
    const { signal, timeoutMs } = options
    if (signal?.aborted) {
      run.abort(signal.reason)
      return
    }
    // A timeout is a guard, not work: startTimer unrefs it, and starts none for Infinity.
    const timer =
      timeoutMs === undefined
        ? undefined
        : startTimer(
            () =>
              run.expire(
                new TimeoutError(
                  `Task "${run.name}" of supervisor "${this.name}" did not finish within timeoutMs (${timeoutMs} ms)`,
                  timeoutMs,
                ),
              ),
            timeoutMs,
          )
    const onAbort = signal === undefined ? undefined : () => run.abort(signal.reason)
    if (onAbort !== undefined) signal!.addEventListener('abort', onAbort, { once: true })
    if (timer !== undefined || onAbort !== undefined) {
      run.armDisarm(() => {
        if (timer !== undefined) clearTimeout(timer)
        if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort)
      })
    }
  }

  #start(run: Run, task: SupervisedTask<unknown>): void {
    let returned: unknown
    let promise: Promise<unknown> | undefined
    try {
      returned = task(run)
      // A thenable is adopted once (a lazy query builder must not run twice); a `then` that throws
      // becomes a failure of the task.
      promise = adoptThenable(returned)
    } catch (error) {
      run.settle('failed', error)
      return
    }
    if (promise === undefined) {
      run.settle('succeeded', returned)
      return
    }
    // Both reactions are attached at once, so the task's promise always has a handler: a rejection,
    // even one arriving after an abort or a timeout ended the task, can never go unhandled.
    promise.then(
      (value) => run.settle('succeeded', value),
      (error: unknown) => run.settle('failed', error),
    )
  }

  #settled(run: Run): void {
    this.#running.remove(run)
    if (run.status === 'succeeded') this.#succeeded++
    else if (run.status === 'aborted') this.#aborted++
    else this.#reportFailure(run, run.settledWith)
    if (this.#running.length === 0 && this.#resolveIdle !== undefined) {
      this.#resolveIdle()
      this.#resolveIdle = undefined
    }
  }

  #reportFailure(run: Run, error: unknown): void {
    this.#failed++
    const task: TaskInfo = { id: run.id, name: run.name }
    const what = `task "${run.name}" of supervisor "${this.name}"`
    if (this.#onError !== undefined) reportSafely(this.#onError, what, error, task)
    const listened = this.listenerCount('fail') > 0
    if (listened) emitSafely(what, () => this.emit('fail', { error, task }))
    if (this.#onError === undefined && !listened) logFailure(what, error)
  }

  /** The running tasks, oldest first, as an array safe to keep while tasks end. */
  #runningTasks(): Run[] {
    const runs: Run[] = []
    for (let run = this.#running.head; run !== undefined; run = run.next) runs.push(run)
    return runs
  }

  #idleOrDeadline(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = startTimer(finish, timeoutMs)
      const previous = this.#resolveIdle
      this.#resolveIdle = finish
      function finish(): void {
        clearTimeout(timer)
        previous?.()
        resolve()
      }
    })
  }
}
