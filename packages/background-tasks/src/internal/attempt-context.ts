import type { JobContext } from '../task-queue-options.js'

/**
 * What a handler receives for one attempt. A new one per attempt, so a handler that outlives its
 * timeout keeps seeing its own (aborted) signal and attempt number, never the next attempt's. The
 * abort controller is only created when the handler reads `signal` or something aborts it.
 */
export class AttemptContext implements JobContext {
  readonly id: string
  readonly name: string
  readonly attempt: number
  readonly maxAttempts: number
  #controller: AbortController | undefined
  #abortReason: unknown

  constructor(id: string, name: string, attempt: number, maxAttempts: number) {
    this.id = id
    this.name = name
    this.attempt = attempt
    this.maxAttempts = maxAttempts
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason)
    }
    return this.#controller.signal
  }

  /** Aborts the signal (now, or as soon as it is read); only the first reason counts. */
  abort(reason: unknown): void {
    if (this.#abortReason !== undefined) return
    this.#abortReason = reason
    this.#controller?.abort(reason)
  }
}
