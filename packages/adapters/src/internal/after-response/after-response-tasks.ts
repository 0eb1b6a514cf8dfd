import type { ServerResponse } from 'node:http'
import {
  type BackgroundTaskInfo,
  BackgroundTasks,
  TaskSupervisor,
} from '@loopwork/background-tasks'
import * as option from '@loopwork/internal/options'
import type { BackgroundTasksMiddlewareOptions } from '../../types.js'
import { defaultErrorLog } from '../error-log.js'
import { methodsOption } from '../option-checks.js'
import { whenResponseClosed } from '../response-close.js'

const supervisorOption = methodsOption<TaskSupervisor>(['spawn', 'drain'])

const SCHEMA = { onError: option.function, supervisor: supervisorOption }

const SPAWN_OPTIONS = { name: 'background-tasks' } as const

/**
 * The framework-neutral half of every adapter's background tasks: one `BackgroundTasks` per request,
 * run under a supervisor once the response is over, also when the client went away (tasks of a
 * disconnected client must still run, not be silently dropped).
 */
export class AfterResponseTasks {
  /** The supervisor each response's tasks run under; give it to `shutdown()` to drain them. */
  readonly supervisor: TaskSupervisor
  /** Whether the supervisor was made here (then the adapter drains it when the app closes). */
  readonly ownsSupervisor: boolean
  readonly #taskOptions: { onError: (error: unknown, task: BackgroundTaskInfo) => void }

  constructor(options: BackgroundTasksMiddlewareOptions | undefined) {
    option.check('backgroundTasks() options', options, SCHEMA)
    this.ownsSupervisor = options?.supervisor === undefined
    this.supervisor = options?.supervisor ?? new TaskSupervisor({ name: 'background-tasks' })
    this.#taskOptions = { onError: options?.onError ?? logTaskFailure }
  }

  /** A fresh, empty set of tasks for one request. */
  create(): BackgroundTasks {
    return new BackgroundTasks(this.#taskOptions)
  }

  /** Runs `tasks` once the Node response is over (sent, or cut off by the client). */
  runAfter(response: ServerResponse, tasks: BackgroundTasks): void {
    whenResponseClosed(response, () => {
      if (tasks.size > 0) this.run(tasks)
    })
  }

  /**
   * Runs `tasks` now under the supervisor; resolves when they are done, never rejects. Tasks the
   * supervisor refuses (it is draining for shutdown, or `maxRunning` responses' tasks already run)
   * are reported, not silently dropped.
   */
  run(tasks: BackgroundTasks): Promise<void> {
    if (tasks.size === 0 || tasks.started) return Promise.resolve()
    try {
      return this.supervisor.spawn(runTasks(tasks), SPAWN_OPTIONS).done.then(ignore, ignore)
    } catch (error) {
      defaultErrorLog.report(
        `[loopwork] ${tasks.size} background task(s) of a response were not run:`,
        error,
      )
      return Promise.resolve()
    }
  }
}

function ignore(): void {}

/** The default `onError`: stderr, identical failures of a task once per window with a count. */
function logTaskFailure(error: unknown, task: BackgroundTaskInfo): void {
  defaultErrorLog.report(`[loopwork] background task "${task.name}" failed:`, error)
}

/**
 * A supervised task that runs a response's tasks with the supervisor's signal, so a shutdown past
 * its deadline skips the tasks not yet started instead of only reporting them as aborted.
 */
function runTasks(tasks: BackgroundTasks) {
  return ({ signal }: { readonly signal: AbortSignal }) => tasks.run({ signal })
}
