import type { EventEmitter } from 'node:events'
import { type Queue, QueueEvents, type QueueEventsOptions } from 'bullmq'
import { JobFailedError, JobNotFoundError } from '../errors.js'
import { deadLetterOf } from './bullmq-job-info.js'

interface Waiter {
  settle(outcome: () => void): void
  reject(error: unknown): void
}

/**
 * `result(id)` for the BullMQ backend: waits for the job's completion or final failure, wherever it
 * runs, through one `QueueEvents` stream reader, created on the first call (it costs a Redis
 * connection). It subscribes before it looks at the job's state, so a job finishing in between is
 * not missed.
 */
export class BullMQResults {
  readonly #queue: Queue
  readonly #options: QueueEventsOptions
  readonly #onError: (error: Error) => void
  readonly #waiters = new Set<Waiter>()
  #events: QueueEvents | undefined
  /** The per-job events (`completed:<id>`) that `QueueEvents` emits but does not declare. */
  #byJob: EventEmitter | undefined

  constructor(queue: Queue, options: QueueEventsOptions, onError: (error: Error) => void) {
    this.#queue = queue
    this.#options = options
    this.#onError = onError
  }

  wait(id: string, signal: AbortSignal | undefined): Promise<unknown> {
    const events = this.#ensureEvents()
    const byJob = this.#byJob!
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    const completedEvent = `completed:${id}`
    const failedEvent = `failed:${id}`
    const onCompleted = (event: { returnvalue: unknown }) =>
      waiter.settle(() => resolve(event.returnvalue))
    const onFailed = () => void this.#checkState(id, waiter, resolve)
    const onAbort = () => waiter.settle(() => reject(signal!.reason))
    const waiter: Waiter = {
      settle: (outcome) => {
        if (!this.#waiters.delete(waiter)) return
        byJob.off(completedEvent, onCompleted)
        byJob.off(failedEvent, onFailed)
        signal?.removeEventListener('abort', onAbort)
        outcome()
      },
      reject: (error) => waiter.settle(() => reject(error)),
    }
    this.#waiters.add(waiter)
    byJob.on(completedEvent, onCompleted)
    byJob.on(failedEvent, onFailed)
    signal?.addEventListener('abort', onAbort, { once: true })
    events
      .waitUntilReady()
      .then(() => this.#checkState(id, waiter, resolve))
      .catch(waiter.reject)
    return promise
  }

  /** Ends every wait with `reason` and closes the stream reader. */
  async close(reason: Error): Promise<void> {
    for (const waiter of [...this.#waiters]) waiter.reject(reason)
    await this.#events?.close()
  }

  #ensureEvents(): QueueEvents {
    if (this.#events === undefined) {
      this.#events = new QueueEvents(this.#queue.name, this.#options)
      this.#events.on('error', this.#onError)
      this.#byJob = this.#events as unknown as EventEmitter
    }
    return this.#events
  }

  async #checkState(id: string, waiter: Waiter, resolve: (value: unknown) => void): Promise<void> {
    try {
      const job = await this.#queue.getJob(id)
      if (job === undefined || job === null) {
        waiter.reject(new JobNotFoundError(this.#queue.name, id))
        return
      }
      const state = await job.getState()
      if (state === 'completed') waiter.settle(() => resolve(job.returnvalue))
      else if (state === 'failed') {
        const letter = deadLetterOf(job)
        waiter.reject(new JobFailedError(id, job.name, letter.attempts, letter.error))
      }
    } catch (error) {
      waiter.reject(error)
    }
  }
}
