import { adoptResult, startTimer } from '@loopwork/internal'
import { type Job, type Processor, UnrecoverableError, WaitingError } from 'bullmq'
import { UnrecoverableJobError } from '../../errors.js'
import type { JobInfo } from '../../task-queue-options.js'
import { AttemptContext } from '../attempt-context.js'
import { attemptTimeoutError } from '../attempt-timeout.js'
import { toError } from '../error-reporting.js'
import type { QueueSettings } from '../queue-settings.js'
import { jobInfoOf } from './bullmq-job-info.js'

/** A job this process is running, as `close()` sees it. */
export interface RunningJob {
  readonly info: JobInfo
  /** Aborts the handler and hands the job back to Redis as waiting, for another worker. */
  interrupt(reason: Error): void
}

/** Marks the rejection that `interrupt` causes, so it is told apart from the handler's own errors. */
class Interrupted {
  readonly reason: Error
  constructor(reason: Error) {
    this.reason = reason
  }
}

/**
 * The BullMQ processor: runs the job's handler with the same context, timeout and error mapping as
 * the in-memory backend. An attempt interrupted by `close()` is moved back to waiting at once
 * instead of being failed or left to stall, so the next worker takes it without losing an attempt.
 */
export function createProcessor(
  settings: QueueSettings,
  running: Map<string, RunningJob>,
): Processor {
  return async (job: Job, token?: string, bullSignal?: AbortSignal) => {
    const handler = settings.handlers.get(job.name)
    if (handler === undefined) {
      throw new UnrecoverableError(
        `Task queue "${settings.name}" has no handler for job ${JSON.stringify(job.name)} in this process`,
      )
    }
    const attempt = job.attemptsMade + 1
    const context = new AttemptContext(job.id!, job.name, attempt, job.opts.attempts ?? 1)
    const forward = () => context.abort(bullSignal!.reason)
    bullSignal?.addEventListener('abort', forward, { once: true })
    const interruption = Promise.withResolvers<never>()
    running.set(job.id!, {
      info: jobInfoOf(job, attempt),
      interrupt(reason) {
        context.abort(reason)
        interruption.reject(new Interrupted(reason))
      },
    })
    try {
      return await runAttempt(settings, job, context, interruption.promise)
    } catch (error) {
      if (error instanceof Interrupted) {
        await job.moveToWait(token)
        throw new WaitingError()
      }
      if (error instanceof UnrecoverableJobError) throw new UnrecoverableError(error.message)
      throw toError(error)
    } finally {
      running.delete(job.id!)
      bullSignal?.removeEventListener('abort', forward)
    }
  }
}

function runAttempt(
  settings: QueueSettings,
  job: Job,
  context: AttemptContext,
  interruption: Promise<never>,
): Promise<unknown> {
  const handler = settings.handlers.get(job.name)!
  const contenders: Promise<unknown>[] = [
    interruption,
    // A thenable is adopted once (a lazy query builder must not run twice); a sync throw or a
    // throwing `then` becomes a rejection.
    new Promise((resolve) => resolve(adoptResult(handler(job.data, context)))),
  ]
  const timeoutMs = settings.timeoutMs
  let timer: ReturnType<typeof setTimeout> | undefined
  if (timeoutMs !== undefined) {
    contenders.push(
      new Promise((_resolve, reject) => {
        timer = startTimer(() => {
          const error = attemptTimeoutError(settings.name, job.name, job.id!, timeoutMs)
          context.abort(error)
          reject(error)
        }, timeoutMs)
      }),
    )
  }
  // `Promise.race` handles every contender, so none can reject unhandled, also after it lost.
  return Promise.race(contenders).finally(() => clearTimeout(timer))
}
