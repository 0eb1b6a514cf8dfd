import type { MessagePort } from 'node:worker_threads'
import { cloneableOrText, serializeError } from './error-transport.js'
import {
  FULFILLED,
  RESULT_STRIDE,
  THREW_ERROR,
  UNCLONEABLE_RESULT,
  type UncloneableResult,
} from './protocol.js'
import { findUncloneable } from './uncloneable.js'

/**
 * A thread's outgoing results. Results of quick calls are sent together, one message per batch,
 * which is most of the main thread's saving per call; but the buffer is flushed once the calls in
 * it have taken `FLUSH_AFTER_MS` (counted from the start of the first), before the thread awaits an
 * async task and before it sleeps, so a finished call is never held back behind slow work and
 * survives a later crash. A call that alone takes that long is sent as soon as it ends.
 */
export class ResultBuffer {
  #entries: unknown[] = []
  #oldest = 0
  readonly #port: MessagePort

  constructor(port: MessagePort) {
    this.#port = port
  }

  /**
   * Adds one call's outcome. `startedAt` is reported to the pool; `localStart` and `now` are when
   * the call started and ended on this thread's clock.
   */
  add(
    sequence: number,
    status: number,
    value: unknown,
    startedAt: number,
    localStart: number,
    now: number,
  ): void {
    const entries = this.#entries
    if (entries.length === 0) this.#oldest = localStart
    entries.push(sequence, status, value, startedAt, now - localStart)
    if (now - this.#oldest >= FLUSH_AFTER_MS) this.flush()
  }

  /** Posts every buffered result. */
  flush(): void {
    const entries = this.#entries
    if (entries.length === 0) return
    this.#entries = []
    try {
      this.#port.postMessage(entries)
    } catch {
      this.#postOneByOne(entries)
    }
  }

  /** A result that cannot be cloned fails alone, as a rejected call, instead of taking its batch with it. */
  #postOneByOne(entries: unknown[]): void {
    for (let index = 0; index < entries.length; index += RESULT_STRIDE) {
      const entry = entries.slice(index, index + RESULT_STRIDE)
      try {
        this.#port.postMessage(entry)
      } catch (error) {
        const cloneError = serializeError(
          error instanceof Error ? error : new Error(String(cloneableOrText(error))),
        )
        if (entry[1] === FULFILLED) {
          // Searched here, where the value is: the pool names the task and says where it failed.
          const spot = findUncloneable(entry[2], 'result')
          const report: UncloneableResult = {
            path: spot?.path,
            found: spot?.found,
            error: cloneError,
          }
          entry[1] = UNCLONEABLE_RESULT
          entry[2] = report
        } else {
          entry[1] = THREW_ERROR
          entry[2] = cloneError
        }
        this.#port.postMessage(entry)
      }
    }
  }
}

/** Results older than this are sent without waiting for the rest of their batch. */
export const FLUSH_AFTER_MS = 0.5
