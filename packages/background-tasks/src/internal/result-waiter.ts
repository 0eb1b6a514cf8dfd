import { abortErrorFor, LinkedList, type ListNode } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import type { ResultOptions } from '../task-queue-options.js'
import type { MemoryJob } from './memory-job.js'

/**
 * A `result(id)` call waiting for an unfinished job's outcome: a link in an in-memory job's waiters,
 * or one of the SQLite queue's waiters for that id. Settling it removes its abort listener first.
 */
export class ResultWaiter implements ListNode<ResultWaiter> {
  previous: ResultWaiter | undefined = undefined
  next: ResultWaiter | undefined = undefined
  /** Removes the abort listener of the call's signal, if it has one. */
  stopListening: (() => void) | undefined = undefined
  readonly #resolve: (value: unknown) => void
  readonly #reject: (error: unknown) => void

  constructor(resolve: (value: unknown) => void, reject: (error: unknown) => void) {
    this.#resolve = resolve
    this.#reject = reject
  }

  resolve(value: unknown): void {
    this.stopListening?.()
    this.#resolve(value)
  }

  reject(error: unknown): void {
    this.stopListening?.()
    this.#reject(error)
  }
}

const resultSchema = { signal: option.signal }

/** Checks the options of a `result()` call; returns its signal. */
export function resultSignalOf(options: ResultOptions | undefined): AbortSignal | undefined {
  return option.check('result() options', options, resultSchema)?.signal
}

/** The message of the `AbortError` a `result()` call rejects with when its signal aborts. */
export function resultAbortMessage(queueName: string, id: string): string {
  return `Task queue "${queueName}" stopped waiting for the result of job ${id}: its signal aborted (the job goes on)`
}

/**
 * Registers a `result()` call on an unfinished in-memory job (its signal, if any, has not aborted
 * yet). The waiter is only created when
 * someone asks, so jobs nobody awaits cost nothing here and can never leave a rejection unhandled.
 */
export function waitForResult(
  queueName: string,
  job: MemoryJob,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const waiter = new ResultWaiter(resolve, reject)
    const extras = job.extrasOrNew()
    extras.waiters ??= new LinkedList<ResultWaiter>()
    const waiters = extras.waiters
    waiters.push(waiter)
    if (signal === undefined) return
    const onAbort = () => {
      waiters.remove(waiter)
      waiter.reject(abortErrorFor(resultAbortMessage(queueName, job.id), signal))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    waiter.stopListening = () => signal.removeEventListener('abort', onAbort)
  })
}

/**
 * Takes the waiters of a job that just finished (or was handed back), so each is settled once;
 * `undefined` when nobody waits, the common case, which then allocates nothing.
 */
export function takeWaiters(job: MemoryJob): LinkedList<ResultWaiter> | undefined {
  const waiters = job.extras?.waiters
  if (waiters !== undefined) job.extras!.waiters = undefined
  return waiters
}
