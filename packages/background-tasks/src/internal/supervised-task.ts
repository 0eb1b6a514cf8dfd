import { AbortError, type ListNode } from '@loopwork/internal'
import type { TaskContext, TaskHandle, TaskOutcome } from '../task-supervisor-options.js'

/** What a task reports to its supervisor, once, when it ends. */
export type SettleListener = (task: SupervisedTaskRun<unknown>) => void

/** How a task stands; the last three are final. */
export type TaskStatus = 'running' | TaskOutcome<unknown>['status']

/** The parts of a task few tasks need, allocated on first use so a spawn allocates little. */
interface TaskExtras<T> {
  controller?: AbortController
  abortReason?: unknown
  outcome?: TaskOutcome<T>
  done?: Promise<TaskOutcome<T>>
  resolveDone?: (outcome: TaskOutcome<T>) => void
  /** Cleans up the timer and the signal listener, when the supervisor armed them. */
  disarm?: () => void
}

/**
 * One spawned task: its handle, the context its function receives, and a link in the supervisor's
 * list of running tasks, all in one object. The abort controller, the outcome object and the
 * `done` promise are only created when something asks for them.
 */
export class SupervisedTaskRun<T>
  implements TaskHandle<T>, TaskContext, ListNode<SupervisedTaskRun<unknown>>
{
  readonly id: number
  readonly name: string
  /** The supervisor's name, for error messages. */
  readonly supervisorName: string
  status: TaskStatus = 'running'
  /** The value, the error or the abort reason, once the task ended. */
  settledWith: unknown
  /** Links in the supervisor's list of running tasks. */
  previous: SupervisedTaskRun<unknown> | undefined
  next: SupervisedTaskRun<unknown> | undefined
  #extras: TaskExtras<T> | undefined
  #onSettle: SettleListener | undefined

  constructor(id: number, name: string, supervisorName: string, onSettle: SettleListener) {
    this.id = id
    this.name = name
    this.supervisorName = supervisorName
    this.#onSettle = onSettle
  }

  get signal(): AbortSignal {
    const extras = this.#extrasOrNew()
    if (extras.controller === undefined) {
      extras.controller = new AbortController()
      if (extras.abortReason !== undefined) extras.controller.abort(extras.abortReason)
    }
    return extras.controller.signal
  }

  get outcome(): TaskOutcome<T> | undefined {
    if (this.status === 'running') return undefined
    const extras = this.#extrasOrNew()
    extras.outcome ??=
      this.status === 'succeeded'
        ? { status: 'succeeded', value: this.settledWith as T }
        : this.status === 'failed'
          ? { status: 'failed', error: this.settledWith }
          : { status: 'aborted', reason: this.settledWith }
    return extras.outcome
  }

  get done(): Promise<TaskOutcome<T>> {
    const extras = this.#extrasOrNew()
    if (extras.done === undefined) {
      const outcome = this.outcome
      if (outcome !== undefined) {
        extras.done = Promise.resolve(outcome)
      } else {
        const { promise, resolve } = Promise.withResolvers<TaskOutcome<T>>()
        extras.done = promise
        extras.resolveDone = resolve
      }
    }
    return extras.done
  }

  result(): Promise<T> {
    return this.done.then((outcome) => {
      if (outcome.status === 'succeeded') return outcome.value
      if (outcome.status === 'failed') throw outcome.error
      throw outcome.reason instanceof AbortError
        ? outcome.reason
        : new AbortError(this.#abortMessage(), outcome.reason)
    })
  }

  abort(reason: unknown = new AbortError(this.#abortMessage(), 'handle.abort() was called')): void {
    if (this.status !== 'running') return
    this.settle('aborted', reason)
    this.#signalAbort(reason)
  }

  /** Ends the task as failed with `error` and aborts its signal with it (the timeout path). */
  expire(error: Error): void {
    if (this.status !== 'running') return
    this.settle('failed', error)
    this.#signalAbort(error)
  }

  /** Arms the cleanup of a timer and a signal listener, run when the task ends. */
  armDisarm(disarm: () => void): void {
    this.#extrasOrNew().disarm = disarm
  }

  /** Records how the task ended, once; a later settle (a task finishing after its abort) is ignored. */
  settle(status: TaskOutcome<unknown>['status'], result: unknown): void {
    if (this.status !== 'running') return
    this.status = status
    this.settledWith = result
    const onSettle = this.#onSettle!
    this.#onSettle = undefined
    const extras = this.#extras
    if (extras?.disarm !== undefined) {
      extras.disarm()
      extras.disarm = undefined
    }
    onSettle(this as SupervisedTaskRun<unknown>)
    if (extras?.resolveDone !== undefined) {
      extras.resolveDone(this.outcome!)
      extras.resolveDone = undefined
    }
  }

  #abortMessage(): string {
    return `Task "${this.name}" of supervisor "${this.supervisorName}" was aborted`
  }

  #extrasOrNew(): TaskExtras<T> {
    if (this.#extras === undefined) this.#extras = {}
    return this.#extras
  }

  // The bookkeeping is done before user abort listeners run, so one that throws or re-enters the
  // supervisor sees a consistent state.
  #signalAbort(reason: unknown): void {
    const extras = this.#extrasOrNew()
    extras.abortReason = reason
    extras.controller?.abort(reason)
  }
}
