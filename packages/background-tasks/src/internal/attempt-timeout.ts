import { startTimer, TimeoutError } from '@loopwork/internal'
import type { AbortableContext } from './memory-job.js'

/** What an attempt with a time limit reports, once, whichever comes first. */
export interface TimedAttemptOutcome {
  succeeded(value: unknown): void
  failed(error: unknown): void
}

/** The error of an attempt that outlived the queue's `timeoutMs`, the same in both backends. */
export function attemptTimeoutError(
  queueName: string,
  jobName: string,
  jobId: string,
  timeoutMs: number,
): TimeoutError {
  return new TimeoutError(
    `Job ${JSON.stringify(jobName)} (id ${jobId}) of task queue "${queueName}" did not finish within timeoutMs (${timeoutMs} ms)`,
    timeoutMs,
  )
}

/**
 * Waits for an attempt's promise, but no longer than `timeoutMs`: then the attempt fails with a
 * `TimeoutError`, its signal aborts, and the returned promise resolves so its concurrency slot is
 * freed, although the handler may still run (its late outcome is the caller's to ignore).
 */
export function settleWithin(
  queueName: string,
  attempt: Promise<unknown>,
  timeoutMs: number,
  context: AbortableContext,
  outcome: TimedAttemptOutcome,
): Promise<void> {
  return new Promise((resolve) => {
    const timer = startTimer(() => {
      const error = attemptTimeoutError(queueName, context.name, context.id, timeoutMs)
      outcome.failed(error)
      context.abort(error)
      resolve()
    }, timeoutMs)
    attempt.then(
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
