import type { ServerResponse } from 'node:http'
import {
  BackgroundTasks,
  type BackgroundTasksOptions,
  TaskSupervisor,
} from '@loopwork/background-tasks'
import {
  assertHasMethods,
  assertOptionalFunction,
  assertOptionsObject,
} from './option-validation.js'
import { whenResponseClosed } from './response-completion.js'

/** Options of the `backgroundTasks` middleware/plugin of every adapter. */
export interface BackgroundTasksMiddlewareOptions {
  /**
   * Called for every task that throws or rejects; the remaining tasks of that response still run.
   *
   * @default logs `[loopwork] background task "<name>" failed:` and the error to stderr
   * @example backgroundTasks({ onError: (error, task) => logger.error({ err: error, task: task.name }) })
   */
  readonly onError?: BackgroundTasksOptions['onError']

  /**
   * The supervisor every response's tasks run under, so shutdown can wait for them (and abort what
   * is left at its deadline) and a bound (`maxActive`) caps how many responses' tasks run at once.
   *
   * @default a new `TaskSupervisor({ name: 'background-tasks' })`, available as `.supervisor`
   * @example
   * const supervisor = new TaskSupervisor({ name: 'after-response', maxActive: 1000 })
   * app.use(backgroundTasks({ supervisor }))
   */
  readonly supervisor?: TaskSupervisor | undefined
}

const SPAWN_OPTIONS = { name: 'background-tasks' } as const

/**
 * The framework-neutral half of every adapter's background tasks: one `BackgroundTasks` per request,
 * run under a supervisor once the response is over, also when the client went away (the trap of
 * Starlette's #1438, where tasks of a disconnected client were silently dropped).
 */
export class AfterResponseTasks {
  /** The supervisor each response's tasks run under; give it to `shutdown()` to drain them. */
  readonly supervisor: TaskSupervisor
  readonly #taskOptions: BackgroundTasksOptions

  constructor(options: BackgroundTasksMiddlewareOptions = {}) {
    assertOptionsObject('options', options)
    assertOptionalFunction('onError', options.onError)
    if (options.supervisor !== undefined) {
      assertHasMethods('supervisor', options.supervisor, ['spawn', 'drain'])
    }
    this.supervisor = options.supervisor ?? new TaskSupervisor({ name: 'background-tasks' })
    this.#taskOptions = options.onError === undefined ? {} : { onError: options.onError }
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
   * supervisor refuses (it is draining for shutdown, or `maxActive` responses' tasks already run)
   * are reported, not silently dropped.
   */
  run(tasks: BackgroundTasks): Promise<void> {
    if (tasks.size === 0 || tasks.started) return Promise.resolve()
    try {
      return this.supervisor.spawn(runTasks(tasks), SPAWN_OPTIONS).done.then(ignore)
    } catch (error) {
      console.error(
        `[loopwork] ${tasks.size} background task(s) of a response were not run:`,
        error,
      )
      return Promise.resolve()
    }
  }
}

function ignore(): void {}

/**
 * A supervised task that runs a response's tasks with the supervisor's signal, so a shutdown past
 * its deadline skips the tasks not yet started instead of only reporting them as aborted.
 */
function runTasks(tasks: BackgroundTasks) {
  return ({ signal }: { readonly signal: AbortSignal }) => tasks.run({ signal })
}
