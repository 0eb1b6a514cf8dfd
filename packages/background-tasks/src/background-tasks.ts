import { AsyncLocalStorage } from 'node:async_hooks'
import { adoptResult } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import type {
  BackgroundTaskInfo,
  BackgroundTasksOptions,
  BackgroundTasksReport,
  RunOptions,
} from './background-tasks-options.js'
import { TasksAlreadyRunError } from './errors.js'
import { logFailure, reportSafely } from './internal/error-reporting.js'

interface PendingTask {
  readonly task: (...args: never[]) => unknown
  readonly args: unknown[]
  readonly name: string
  /** Runs a function in the async context of the `add()` call. */
  readonly inAddContext: <R>(fn: (...args: unknown[]) => R, ...args: unknown[]) => R
}

const optionsSchema = { onError: option.function }
const runSchema = { signal: option.signal }

const defaultOnError = (error: unknown, task: BackgroundTaskInfo): void =>
  logFailure(`background task "${task.name}"`, error)

/**
 * Work to do after a response has been sent, collected per request. Tasks run once, in the order
 * they were added, one after another.
 *
 * A failing task is reported through `onError` (by default: logged with its name) and the next
 * tasks still run; `run()` itself never rejects for a task's failure.
 *
 * @example
 * import { BackgroundTasks } from '@loopwork/background-tasks'
 *
 * async function sendEmail(to: string): Promise<void> {}
 * function audit(event: { kind: string }): void {}
 *
 * const tasks = new BackgroundTasks({ onError: (error, task) => console.error(task.name, error) })
 * tasks.add(sendEmail, 'a@b.c')
 * tasks.add(audit, { kind: 'login' })
 * await tasks.run() // the adapter calls this once the response is fully sent
 */
export class BackgroundTasks {
  #pending: PendingTask[] = []
  #state: 'collecting' | 'running' | 'finished' = 'collecting'
  readonly #onError: (error: unknown, task: BackgroundTaskInfo) => unknown

  /** Throws a `TypeError` (code `LOOPWORK_INVALID_OPTION`) for a bad or unknown option. */
  constructor(options?: BackgroundTasksOptions) {
    option.check('BackgroundTasks options', options, optionsSchema)
    this.#onError = options?.onError ?? defaultOnError
  }

  /** How many tasks are waiting to run. */
  get size(): number {
    return this.#pending.length
  }

  /** Whether `run()` has been called. */
  get started(): boolean {
    return this.#state !== 'collecting'
  }

  /**
   * Adds a sync or async function and the arguments to call it with, type-checked against its
   * parameters. It will run in the async context (AsyncLocalStorage) of this call; a thenable it
   * returns is adopted once (its `then()` is called exactly once).
   * Throws `TasksAlreadyRunError` once `run()` has started.
   */
  add<A extends unknown[]>(task: (...args: A) => unknown, ...args: A): this {
    if (this.#state !== 'collecting') throw new TasksAlreadyRunError('add')
    option.function('task', task)
    this.#pending.push({
      task: task as (...args: never[]) => unknown,
      args,
      name: task.name || 'anonymous',
      inAddContext: AsyncLocalStorage.snapshot(),
    })
    return this
  }

  /**
   * Runs every task in order, each after the previous one settled. A failing task goes to `onError`
   * and the rest still run. With a `signal`, the tasks not yet started when it aborts are skipped.
   * Resolves with how many succeeded, failed and were skipped; rejects only with
   * `TasksAlreadyRunError` when called a second time, or for a bad option.
   */
  async run(options?: RunOptions): Promise<BackgroundTasksReport> {
    if (this.#state !== 'collecting') throw new TasksAlreadyRunError('run')
    const signal = option.check('run() options', options, runSchema)?.signal
    this.#state = 'running'
    const pending = this.#pending
    this.#pending = []
    let failed = 0
    let position = 0
    for (; position < pending.length && signal?.aborted !== true; position++) {
      const { task, args, name, inAddContext } = pending[position]!
      try {
        await inAddContext(runTask, task, args)
      } catch (error) {
        failed++
        reportSafely(this.#onError, `background task "${name}"`, error, { name, position })
      }
    }
    this.#state = 'finished'
    return { succeeded: position - failed, failed, skipped: pending.length - position }
  }
}

/** Calls a task and adopts what it returns once, so a lazy thenable's `then()` runs exactly once. */
function runTask(task: unknown, args: unknown): Promise<unknown> {
  return adoptResult((task as (...args: unknown[]) => unknown)(...(args as unknown[])))
}
