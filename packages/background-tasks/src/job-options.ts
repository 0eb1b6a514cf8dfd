import { UnknownJobError } from './errors.js'
import { assertJsonData } from './job-data.js'
import {
  assertInteger,
  assertOptionalMilliseconds,
  assertOptionsObject,
  describe,
  invalid,
} from './option-validation.js'
import type { QueueSettings } from './queue-settings.js'
import type { AddJobOptions, JobHandler } from './task-queue-types.js'

/** The highest `priority` (runs first); the range maps into BullMQ's 1..2,097,151. */
export const MAX_PRIORITY = 1_000_000
/** The lowest `priority` (runs last). */
export const MIN_PRIORITY = -1_000_000

/**
 * Checks one `add()` request the same way in both backends, before anything is enqueued: the job
 * name must have a handler, the data must be JSON, the options must be in range. Returns the handler.
 */
export function checkJobRequest(
  settings: QueueSettings,
  name: string,
  data: unknown,
  options: AddJobOptions | undefined,
): JobHandler {
  const handler = settings.handlers.get(name)
  if (handler === undefined) {
    throw new UnknownJobError(settings.name, String(name), [...settings.handlers.keys()])
  }
  assertJsonData(name, data)
  if (options !== undefined) checkAddOptions(options)
  return handler
}

function checkAddOptions(options: AddJobOptions): void {
  assertOptionsObject('options', options)
  const { priority, delayMs, jobId, retries } = options
  if (priority !== undefined) {
    const valid =
      typeof priority === 'number' &&
      Number.isInteger(priority) &&
      priority >= MIN_PRIORITY &&
      priority <= MAX_PRIORITY
    if (!valid) {
      throw invalid(
        priority,
        `priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}, got ${describe(priority)}`,
      )
    }
  }
  assertOptionalMilliseconds('delayMs', delayMs)
  if (jobId !== undefined) assertJobId(jobId)
  if (retries !== undefined) assertInteger('retries', retries, 0)
}

function assertJobId(jobId: unknown): void {
  if (typeof jobId !== 'string' || jobId.length === 0) {
    throw invalid(jobId, `jobId must be a non-empty string, got ${describe(jobId)}`)
  }
  if (`${Number.parseInt(jobId, 10)}` === jobId) {
    throw invalid(
      jobId,
      `jobId must not be an integer (those are the queue's own ids), got ${describe(jobId)}`,
    )
  }
  if (jobId.includes(':')) {
    throw invalid(jobId, `jobId must not contain ":", got ${describe(jobId)}`)
  }
}
