import { ClosedError } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import {
  type CloseOptions,
  type CloseReport,
  DEFAULT_CLOSE_TIMEOUT_MS,
} from '../task-queue-options.js'

const closeSchema = { timeoutMs: option.duration({ infinity: true }) }

/**
 * A task queue's `close()`, the same in every backend: the first call checks its options and
 * starts the backend's shutdown, later calls get the same report. From then on the queue refuses
 * new work, and what it refuses or ends fails with the `ClosedError` made here.
 */
export class QueueClosing {
  readonly #queueName: string
  #report: Promise<CloseReport> | undefined = undefined

  constructor(queueName: string) {
    this.#queueName = queueName
  }

  /** Whether `close()` was called (with good options): the queue accepts no new work. */
  get started(): boolean {
    return this.#report !== undefined
  }

  /**
   * What `close(options)` returns: the shutdown already under way, or the one `shutDown` starts
   * now with the call's deadline. Rejects, starting nothing, only for bad options.
   */
  close(
    options: CloseOptions | undefined,
    shutDown: (timeoutMs: number) => Promise<CloseReport>,
  ): Promise<CloseReport> {
    if (this.#report !== undefined) return this.#report
    let timeoutMs: number
    try {
      timeoutMs =
        option.check('close() options', options, closeSchema)?.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS
    } catch (error) {
      return Promise.reject(error)
    }
    this.#report = shutDown(timeoutMs)
    return this.#report
  }

  /** The error of work the queue refuses or ends because it is closed; `detail` says which. */
  error(detail = 'it accepts no new job'): ClosedError {
    return new ClosedError(`Task queue "${this.#queueName}" is closed; ${detail}`)
  }
}
