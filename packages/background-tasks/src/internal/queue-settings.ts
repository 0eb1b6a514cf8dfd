import * as option from '@loopwork/internal/options'
import {
  DEFAULT_KEEP_COMPLETED,
  DEFAULT_MAX_DEAD_LETTERS,
  DEFAULT_MAX_WAITING,
  type JobHandler,
  type JobHandlers,
  type JobInfo,
  type ResolvedBackoff,
  type TaskQueueOptions,
} from '../task-queue-options.js'
import { resolveBackoff } from './backoff.js'
import { logFailure } from './error-reporting.js'

/** Queue options checked, with every default filled in. */
export interface QueueSettings {
  readonly name: string
  /** A `Map`, so a job named `toString` or `__proto__` never finds an inherited "handler". */
  readonly handlers: ReadonlyMap<string, JobHandler>
  readonly concurrency: number
  readonly maxWaiting: number
  readonly retries: number
  readonly backoff: ResolvedBackoff
  /** `undefined` for no limit (the option left out, or `Infinity`). */
  readonly timeoutMs: number | undefined
  readonly keepCompleted: number
  readonly maxDeadLetters: number
  readonly onError: ((error: unknown, job: JobInfo) => unknown) | undefined
}

/** The value `concurrency` takes, as an option and through the setter. */
export const concurrencyOption = option.integer({ min: 1 })

/** The options both backends share, and their checks; each backend adds its own. */
export const sharedQueueSchema: option.Schema = {
  handlers: option.object,
  name: option.name,
  concurrency: concurrencyOption,
  maxWaiting: option.integer({ min: 1, infinity: true }),
  retries: option.integer({ min: 0 }),
  // Checked field by field by resolveBackoff.
  backoff: option.any,
  timeoutMs: option.duration({ min: 1, infinity: true }),
  keepCompleted: option.integer({ min: 0 }),
  maxDeadLetters: option.integer({ min: 0 }),
  onError: option.function,
}

/**
 * Checks the options against `schema` (the shared options plus the backend's own) and resolves the
 * shared ones; every error names the option, the value and what is allowed.
 */
export function resolveQueueSettings(
  what: string,
  options: TaskQueueOptions<JobHandlers>,
  schema: option.Schema,
  defaultName: string | undefined,
): QueueSettings {
  if (options === undefined) throw option.invalid(what, options, 'an options object with handlers')
  option.check(what, options, schema)
  const name = options.name ?? defaultName
  if (name === undefined) throw option.invalid('name', undefined, 'a queue name (required)')
  if (name.includes(':')) throw option.invalid('name', name, 'a name without ":"')
  return {
    name,
    handlers: resolveHandlers(options.handlers),
    concurrency: options.concurrency ?? 1,
    maxWaiting: options.maxWaiting ?? DEFAULT_MAX_WAITING,
    retries: options.retries ?? 0,
    backoff: resolveBackoff(options.backoff),
    timeoutMs: options.timeoutMs === Number.POSITIVE_INFINITY ? undefined : options.timeoutMs,
    keepCompleted: options.keepCompleted ?? DEFAULT_KEEP_COMPLETED,
    maxDeadLetters: options.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS,
    onError: options.onError,
  }
}

function resolveHandlers(handlers: unknown): ReadonlyMap<string, JobHandler> {
  if (handlers === undefined) {
    throw option.invalid('handlers', handlers, 'an object mapping job names to functions')
  }
  const resolved = new Map<string, JobHandler>()
  for (const [jobName, handler] of Object.entries(handlers as object)) {
    option.function(`handlers.${jobName}`, handler)
    resolved.set(jobName, handler as JobHandler)
  }
  if (resolved.size === 0) {
    throw option.invalid('handlers', handlers, 'an object naming at least one job')
  }
  return resolved
}

/** Reports a job that failed for good: to `onError` if given, else to stderr unless someone listens. */
export function defaultJobFailureLog(queueName: string, job: JobInfo, error: unknown): void {
  logFailure(`job "${job.name}" (id ${job.id}) of queue "${queueName}"`, error)
}
