import { JobTimeoutError } from './errors.js'
import type { AbortableContext } from './memory-job.js'

/** What an attempt with a time limit reports, once, whichever comes first. */
export interface TimedAttemptOutcome {
  succeeded(value: unknown): void
  failed(error: unknown): void
}

/**
 * Waits for an attempt's promise, but no longer than `timeoutMs`: then the attempt fails with
 * `JobTimeoutError`, its signal aborts, and the returned promise resolves so its concurrency slot is
 * freed, although the handler may still run (its late outcome is the caller's to ignore).
 */
export function settleWithin(
  returned: PromiseLike<unknown>,
  timeoutMs: number,
  context: AbortableContext,
  outcome: TimedAttemptOutcome,
): Promise<void> {
  return new Promise((resolve) => {
    // A guard, not work: it must not keep the process alive on its own.
    const timer = setTimeout(() => {
      const error = new JobTimeoutError(context.name, context.id, timeoutMs)
      outcome.failed(error)
      context.abort(error)
      resolve()
    }, timeoutMs).unref()
    Promise.resolve(returned).then(
      (value) => {
        clearTimeout(timer)
        outcome.succeeded(value)
        resolve()
      },
      (error: unknown) => {
        clearTimeout(timer)
        outcome.failed(error)
        resolve()
      },
    )
  })
}
