import * as option from '@loopwork/internal/options'
import {
  type BackoffOptions,
  DEFAULT_BACKOFF,
  type ResolvedBackoff,
} from '../task-queue-options.js'

/** A check that names the field with its place in the options, such as `backoff.delayMs`. */
function field<T>(check: option.Check<T>): option.Check<T> {
  return (name, value) => check(`backoff.${name}`, value)
}

const jitterOption: option.Check<number | boolean> = (name, value) => {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number' && value >= 0 && value <= 1) return value
  throw option.invalid(name, value, 'true, false or a number from 0 to 1')
}

const backoffSchema = {
  type: field(option.oneOf(['fixed', 'exponential'] as const)),
  delayMs: field(option.duration()),
  jitter: field(jitterOption),
  maxDelayMs: field(option.duration()),
}

/** Checks backoff options and fills in the defaults; throws a clear error naming the bad field. */
export function resolveBackoff(backoff: BackoffOptions | undefined): ResolvedBackoff {
  if (backoff === undefined) return DEFAULT_BACKOFF
  option.check('backoff', backoff, backoffSchema)
  if (backoff.type === undefined) {
    throw option.invalid('backoff.type', undefined, "'fixed' or 'exponential'")
  }
  if (backoff.delayMs === undefined) {
    throw option.invalid('backoff.delayMs', undefined, 'a number of milliseconds (required)')
  }
  const jitter = backoff.jitter === true ? 1 : backoff.jitter === false ? 0 : (backoff.jitter ?? 0)
  return {
    type: backoff.type,
    delayMs: backoff.delayMs,
    jitter,
    maxDelayMs: backoff.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
  }
}

/**
 * The wait before retrying after failed attempt number `attemptsMade` (from 1): BullMQ's formula,
 * capped at `maxDelayMs`, so both backends space retries alike.
 */
export function backoffDelay(backoff: ResolvedBackoff, attemptsMade: number): number {
  const base =
    backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** (attemptsMade - 1)
  const delay = Math.min(backoff.maxDelayMs, Math.round(base))
  if (backoff.jitter === 0) return delay
  return Math.floor(delay * (1 - backoff.jitter) + Math.random() * delay * backoff.jitter)
}
