import {
  checkOptions,
  durationOption,
  integerOption,
  invalidOption,
  type OptionCheck,
} from '@loopwork/internal'
import { UnknownJobError } from '../errors.js'
import {
  type AddJobOptions,
  type JobHandler,
  MAX_PRIORITY,
  MIN_PRIORITY,
} from '../task-queue-options.js'
import { assertJsonData } from './job-data.js'
import type { QueueSettings } from './queue-settings.js'

const jobIdOption: OptionCheck<string> = (option, value) => {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidOption(option, value, 'a non-empty string')
  }
  if (`${Number.parseInt(value, 10)}` === value) {
    throw invalidOption(
      option,
      value,
      "a string that is not an integer (those are the queue's own ids)",
    )
  }
  if (value.includes(':')) throw invalidOption(option, value, 'a string without ":"')
  return value
}

const addSchema = {
  priority: integerOption({ min: MIN_PRIORITY, max: MAX_PRIORITY }),
  delayMs: durationOption(),
  jobId: jobIdOption,
  retries: integerOption({ min: 0 }),
}

/**
 * Checks one `add()` request the same way in both backends, before anything is enqueued: the job
 * name must have a handler, the data must be JSON, the options must be known and in range. Returns
 * the handler.
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
  if (options !== undefined) checkOptions('add() options', options, addSchema)
  return handler
}
