import { TaskAbortedError } from './errors.js'
import type { TaskContext, TaskHandle, TaskOutcome } from './task-supervisor-options.js'

/** What a task reports to its supervisor, once, when it ends. */
export type SettleListener = (
  task: SupervisedTaskRun<unknown>,
  outcome: TaskOutcome<unknown>,
) => void

/**
 * One spawned task: its handle, the context its function receives, and its bookkeeping in one
 * object, so a spawn allocates little. The abort controller, the timer and the `done` promise are
 * only created when something needs them.
 */
export class SupervisedTaskRun<T> implements TaskHandle<T>, TaskContext {
  readonly id: number
  readonly name: string
  #outcome: TaskOutcome<T> | undefined
  #controller: AbortController | undefined
  #abortReason: unknown
  #done: Promise<TaskOutcome<T>> | undefined
  #resolveDone: ((outcome: TaskOutcome<T>) => void) | undefined
  #onSettle: SettleListener | undefined
  /** Cleans up the timer and the signal listener; set by the supervisor when it arms them. */
  disarm: (() => void) | undefined

  constructor(id: number, name: string, onSettle: SettleListener) {
    this.id = id
    this.name = name
    this.#onSettle = onSettle
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason)
    }
    return this.#controller.signal
  }

  get outcome(): TaskOutcome<T> | undefined {
    return this.#outcome
  }

  get done(): Promise<TaskOutcome<T>> {
    if (this.#done === undefined) {
      if (this.#outcome !== undefined) {
        this.#done = Promise.resolve(this.#outcome)
      } else {
        const { promise, resolve } = Promise.withResolvers<TaskOutcome<T>>()
        this.#done = promise
        this.#resolveDone = resolve
      }
    }
    return this.#done
  }

  result(): Promise<T> {
    return this.done.then((outcome) => {
      if (outcome.status === 'succeeded') return outcome.value
      if (outcome.status === 'failed') throw outcome.error
      throw outcome.reason instanceof TaskAbortedError
        ? outcome.reason
        : new TaskAbortedError(this.name, outcome.reason)
    })
  }

  abort(reason: unknown = new TaskAbortedError(this.name, 'handle.abort() was called')): void {
    if (this.#outcome !== undefined) return
    this.settle({ status: 'aborted', reason })
    this.#signalAbort(reason)
  }

  /** Ends the task as failed with `error` and aborts its signal with it (the timeout path). */
  expire(error: Error): void {
    if (this.#outcome !== undefined) return
    this.settle({ status: 'failed', error })
    this.#signalAbort(error)
  }

  /** Records the outcome once; a later settle (a task finishing after its abort) is ignored. */
  settle(outcome: TaskOutcome<T>): void {
    if (this.#outcome !== undefined) return
    this.#outcome = outcome
    this.disarm?.()
    this.disarm = undefined
    const onSettle = this.#onSettle!
    this.#onSettle = undefined
    onSettle(this as SupervisedTaskRun<unknown>, outcome)
    if (this.#resolveDone !== undefined) {
      this.#resolveDone(outcome)
      this.#resolveDone = undefined
    }
  }

  // The bookkeeping is done before user abort listeners run, so one that throws or re-enters the
  // supervisor sees a consistent state.
  #signalAbort(reason: unknown): void {
    this.#abortReason = reason
    this.#controller?.abort(reason)
  }
}
