import { QueueFullError } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { UnknownJobError } from '../errors.js'
import { type AddJobOptions, MAX_PRIORITY, MIN_PRIORITY } from '../task-queue-options.js'
import { assertJsonData } from './job-data.js'
import type { QueueSettings } from './queue-settings.js'

const jobIdOption: option.Check<string> = (name, value) => {
  if (typeof value !== 'string' || value.length === 0) {
    throw option.invalid(name, value, 'a non-empty string')
  }
  if (`${Number.parseInt(value, 10)}` === value) {
    throw option.invalid(
      name,
      value,
      "a string that is not an integer (those are the queue's own ids)",
    )
  }
  if (value.includes(':')) throw option.invalid(name, value, 'a string without ":"')
  return value
}

const addSchema = {
  priority: option.integer({ min: MIN_PRIORITY, max: MAX_PRIORITY }),
  delayMs: option.duration(),
  jobId: jobIdOption,
  retries: option.integer({ min: 0 }),
}

/**
 * Checks one `add()` request the same way in every backend, before anything is enqueued: the job
 * name must have a handler, the data must be JSON, the options must be known and in range. Returns
 * the data as the job keeps it: `null` when it was left out.
 */
export function checkJobRequest(
  settings: QueueSettings,
  name: string,
  data: unknown,
  options: AddJobOptions | undefined,
): unknown {
  if (!settings.handlers.has(name)) {
    throw new UnknownJobError(settings.name, String(name), [...settings.handlers.keys()])
  }
  const payload = data === undefined ? null : data
  assertJsonData(name, payload)
  if (options !== undefined) option.check('add() options', options, addSchema)
  return payload
}

/** What an `add()` rejects with when `maxWaiting` jobs already wait (or are delayed). */
export function queueFullError(settings: QueueSettings): QueueFullError {
  const { name, maxWaiting } = settings
  return new QueueFullError(
    `Task queue "${name}" already holds maxWaiting (${maxWaiting}) waiting or delayed jobs; the job was not enqueued. Raise maxWaiting or shed load upstream`,
    'maxWaiting',
    maxWaiting,
  )
}
