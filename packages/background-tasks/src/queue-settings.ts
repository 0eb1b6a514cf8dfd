import { type ResolvedBackoff, resolveBackoff } from './backoff.js'
import { logFailure } from './error-reporting.js'
import {
  assertDeadline,
  assertInteger,
  assertOptionalFunction,
  assertOptionalMilliseconds,
  assertOptionalName,
  assertOptionsObject,
  describe,
  invalid,
} from './option-validation.js'
import type { TaskQueueOptions } from './task-queue-options.js'
import type { CloseOptions, JobHandler, JobHandlers, JobInfo } from './task-queue-types.js'

/** The default `maxSize` of a queue (waiting and delayed jobs), in both backends. */
export const DEFAULT_QUEUE_MAX_SIZE = 10_000
/** The default `keepCompleted`: completed jobs kept for `result(id)` and deduplication. */
export const DEFAULT_KEEP_COMPLETED = 1_000
/** The default `maxDeadLetters`: failed jobs kept in the dead-letter list. */
export const DEFAULT_MAX_DEAD_LETTERS = 1_000
/** The default deadline of `close()`, in milliseconds. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000

/** Queue options checked, with every default filled in. */
export interface QueueSettings {
  readonly name: string
  /** A `Map`, so a job named `toString` or `__proto__` never finds an inherited "handler". */
  readonly handlers: ReadonlyMap<string, JobHandler>
  readonly concurrency: number
  readonly maxSize: number
  readonly retries: number
  readonly backoff: ResolvedBackoff
  readonly timeoutMs: number | undefined
  readonly keepCompleted: number
  readonly maxDeadLetters: number
  readonly onError: ((error: unknown, job: JobInfo) => unknown) | undefined
}

/** Checks the options both backends share; every error names the option, the value and what is allowed. */
export function resolveQueueSettings(
  options: TaskQueueOptions<JobHandlers>,
  defaultName: string | undefined,
): QueueSettings {
  if (typeof options !== 'object' || options === null) {
    throw invalid(options, `options must be an object with handlers, got ${describe(options)}`)
  }
  const name = assertOptionalName('name', options.name) ?? defaultName
  if (name === undefined) throw invalid(undefined, 'name is required, got undefined')
  if (name.includes(':')) throw invalid(name, `name must not contain ":", got ${describe(name)}`)
  assertOptionalFunction('onError', options.onError)
  return {
    name,
    handlers: resolveHandlers(options.handlers),
    concurrency: assertInteger('concurrency', options.concurrency ?? 1, 1),
    maxSize: assertInteger('maxSize', options.maxSize ?? DEFAULT_QUEUE_MAX_SIZE, 1, true),
    retries: assertInteger('retries', options.retries ?? 0, 0),
    backoff: resolveBackoff(options.backoff),
    timeoutMs: positiveTimeout(options.timeoutMs),
    keepCompleted: assertInteger(
      'keepCompleted',
      options.keepCompleted ?? DEFAULT_KEEP_COMPLETED,
      0,
    ),
    maxDeadLetters: assertInteger(
      'maxDeadLetters',
      options.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS,
      0,
    ),
    onError: options.onError,
  }
}

function resolveHandlers(handlers: unknown): ReadonlyMap<string, JobHandler> {
  if (typeof handlers !== 'object' || handlers === null || Array.isArray(handlers)) {
    throw invalid(
      handlers,
      `handlers must be an object mapping job names to functions, got ${describe(handlers)}`,
    )
  }
  const resolved = new Map<string, JobHandler>()
  for (const [jobName, handler] of Object.entries(handlers)) {
    if (typeof handler !== 'function') {
      throw invalid(handler, `handlers.${jobName} must be a function, got ${describe(handler)}`)
    }
    resolved.set(jobName, handler as JobHandler)
  }
  if (resolved.size === 0) throw invalid(handlers, 'handlers must name at least one job, got {}')
  return resolved
}

function positiveTimeout(value: unknown): number | undefined {
  const timeoutMs = assertOptionalMilliseconds('timeoutMs', value)
  if (timeoutMs === 0) throw invalid(0, 'timeoutMs must be at least 1 millisecond, got 0')
  return timeoutMs
}

/** Reports a job that failed for good: to `onError` if given, else to stderr unless someone listens. */
export function defaultJobFailureLog(queueName: string, job: JobInfo, error: unknown): void {
  logFailure(`job "${job.name}" (id ${job.id}) of queue "${queueName}"`, error)
}

/** The deadline of a `close()` call, shared by both backends: checks the options, applies the default. */
export function closeTimeoutOf(options: CloseOptions): number {
  assertOptionsObject('options', options)
  return assertDeadline('timeoutMs', options.timeoutMs) ?? DEFAULT_CLOSE_TIMEOUT_MS
}
