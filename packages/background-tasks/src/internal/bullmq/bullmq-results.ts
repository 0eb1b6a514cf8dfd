import type { EventEmitter } from 'node:events'
import { abortErrorFor, startInterval } from '@loopwork/internal'
import { type Queue, QueueEvents, type QueueEventsOptions } from 'bullmq'
import { JobFailedError, JobNotFoundError } from '../../errors.js'
import { resultAbortMessage } from '../result-waiter.js'
import { forceClose } from './bullmq-force-close.js'
import { deadLetterOf } from './bullmq-job-info.js'

interface Waiter {
  settle(outcome: () => void): void
  reject(error: unknown): void
}

interface EventSource {
  readonly events: QueueEvents
  /** The per-job events (`completed:<id>`) that `QueueEvents` emits but does not declare. */
  readonly byJob: EventEmitter
}

/** The one ioredis command used here that BullMQ's client type does not declare. */
interface StreamReader {
  xrevrange(
    key: string,
    end: '+',
    start: '-',
    count: 'COUNT',
    limit: 1,
  ): Promise<[string, string[]][]>
}

/** A safety net under the event stream (which Redis trims): each wait also rereads the state this often. */
const RECHECK_MS = 5_000

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
  #source: Promise<EventSource> | undefined

  constructor(queue: Queue, options: QueueEventsOptions, onError: (error: Error) => void) {
    this.#queue = queue
    this.#options = options
    this.#onError = onError
  }

  wait(id: string, signal: AbortSignal | undefined): Promise<unknown> {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    const completedEvent = `completed:${id}`
    const failedEvent = `failed:${id}`
    const check = () => void this.#checkState(id, waiter, resolve)
    const onCompleted = (event: { returnvalue: unknown }) =>
      waiter.settle(() => resolve(event.returnvalue))
    const onAbort = () =>
      waiter.settle(() => reject(abortErrorFor(resultAbortMessage(this.#queue.name, id), signal!)))
    const recheck = startInterval(check, RECHECK_MS)
    let byJob: EventEmitter | undefined
    const waiter: Waiter = {
      settle: (outcome) => {
        if (!this.#waiters.delete(waiter)) return
        byJob?.off(completedEvent, onCompleted)
        byJob?.off(failedEvent, check)
        clearInterval(recheck)
        signal?.removeEventListener('abort', onAbort)
        outcome()
      },
      reject: (error) => waiter.settle(() => reject(error)),
    }
    this.#waiters.add(waiter)
    signal?.addEventListener('abort', onAbort, { once: true })
    this.#eventSource()
      .then((source) => {
        if (!this.#waiters.has(waiter)) return
        byJob = source.byJob
        byJob.on(completedEvent, onCompleted)
        byJob.on(failedEvent, check)
        // Subscribed first, then the state read: a job finishing in between is seen either way.
        check()
      })
      .catch(waiter.reject)
    return promise
  }

  /** Ends every wait with `reason` and closes the stream reader. */
  async close(reason: Error): Promise<void> {
    for (const waiter of [...this.#waiters]) waiter.reject(reason)
    const source = await this.#source?.catch(() => undefined)
    await source?.events.close()
  }

  /** Drops the stream reader's connection when its `close()` hangs (Redis unreachable). */
  forceClose(): void {
    this.#source
      ?.then((source) => forceClose(source.events))
      .catch(() => {
        // Dropped on purpose; nothing to report.
      })
  }

  #eventSource(): Promise<EventSource> {
    this.#source ??= this.#openEventSource()
    return this.#source
  }

  /**
   * Starts reading the event stream from its current last entry rather than from "now" (`$`), which
   * BullMQ would only fix at its first blocking read, later: a job finishing in between would be
   * missed.
   */
  async #openEventSource(): Promise<EventSource> {
    const client = (await this.#queue.backend.client) as unknown as StreamReader
    const [latest] = await client.xrevrange(this.#queue.keys.events!, '+', '-', 'COUNT', 1)
    const events = new QueueEvents(this.#queue.name, {
      ...this.#options,
      lastEventId: latest?.[0] ?? '0-0',
    })
    events.on('error', this.#onError)
    return { events, byJob: events as unknown as EventEmitter }
  }

  // The state is read before the job: a job read first could still hold no return value when the
  // state read next already says completed.
  async #checkState(id: string, waiter: Waiter, resolve: (value: unknown) => void): Promise<void> {
    try {
      const state = await this.#queue.getJobState(id)
      if (state !== 'unknown' && state !== 'completed' && state !== 'failed') return
      const job = await this.#queue.getJob(id)
      if (state === 'unknown' || job === undefined || job === null) {
        waiter.reject(new JobNotFoundError(this.#queue.name, id))
      } else if (state === 'completed') {
        waiter.settle(() => resolve(job.returnvalue))
      } else {
        const letter = deadLetterOf(job)
        waiter.reject(new JobFailedError(id, job.name, letter.attempts, letter.error))
      }
    } catch (error) {
      waiter.reject(error)
    }
  }
}
