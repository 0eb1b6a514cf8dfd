import type { Job } from 'bullmq'
import { type DeadLetter, type JobInfo, MAX_PRIORITY } from '../../task-queue-options.js'

/**
 * Our priorities run higher-first from -1,000,000 to 1,000,000 (as in the in-memory backend); BullMQ's run
 * lower-first from 1, and a job without one (0) jumps ahead of every prioritized job. So every job
 * gets a BullMQ priority, the default 0 included, and the order is the same in both backends.
 */
export function toBullMQPriority(priority: number): number {
  return MAX_PRIORITY + 1 - priority
}

/** The inverse of {@link toBullMQPriority}; a job added without our mapping reads as 0. */
export function fromBullMQPriority(bullPriority: number | undefined): number {
  return bullPriority === undefined || bullPriority === 0 ? 0 : MAX_PRIORITY + 1 - bullPriority
}

/**
 * A BullMQ job as events and reports show it. BullMQ counts `attemptsMade` up when an attempt ends,
 * so the caller says which attempt it means.
 */
export function jobInfoOf(job: Job, attempt: number): JobInfo {
  return {
    id: job.id!,
    name: job.name,
    data: job.data,
    attempt,
    maxAttempts: job.opts.attempts ?? 1,
    priority: fromBullMQPriority(job.opts.priority),
  }
}

/** A job BullMQ moved to `failed`, as a dead letter; the error is rebuilt from its message and stack. */
export function deadLetterOf(job: Job): DeadLetter {
  const error = new Error(job.failedReason)
  const stack = job.stacktrace?.at(-1)
  if (typeof stack === 'string') error.stack = stack
  return {
    id: job.id!,
    name: job.name,
    data: job.data,
    attempts: job.attemptsMade,
    error,
    failedAt: job.finishedOn ?? job.processedOn ?? job.timestamp,
  }
}
