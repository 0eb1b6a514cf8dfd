import {
  assertOptionalMilliseconds,
  assertOptionsObject,
  describe,
  invalid,
} from './option-validation.js'

/** How long to wait before a retry. */
export interface BackoffOptions {
  /**
   * `'fixed'` waits `delayMs` before every retry; `'exponential'` waits `delayMs`, then twice that,
   * four times... (BullMQ's formula).
   *
   * @example { type: 'exponential', delayMs: 100 }
   */
  readonly type: 'fixed' | 'exponential'
  /**
   * The base wait in milliseconds.
   *
   * @example { type: 'fixed', delayMs: 5_000 }
   */
  readonly delayMs: number
  /**
   * Spreads retries out so failures that happened together do not retry together: `true` picks a
   * wait uniformly between 0 and the computed delay ("full jitter"); a number from 0 to 1 jitters
   * only that fraction of it (BullMQ's `jitter`).
   *
   * @default false
   * @example { type: 'exponential', delayMs: 100, jitter: true }
   */
  readonly jitter?: boolean | number | undefined
  /**
   * The longest wait, whatever the attempt.
   *
   * @default 300_000
   * @example { type: 'exponential', delayMs: 100, maxDelayMs: 10_000 }
   */
  readonly maxDelayMs?: number | undefined
}

/** Backoff options with every default filled in. */
export interface ResolvedBackoff {
  readonly type: 'fixed' | 'exponential'
  readonly delayMs: number
  readonly jitter: number
  readonly maxDelayMs: number
}

/** The backoff used when none is given. */
export const DEFAULT_BACKOFF: ResolvedBackoff = {
  type: 'exponential',
  delayMs: 1_000,
  jitter: 1,
  maxDelayMs: 300_000,
}

/** Checks backoff options and fills in the defaults; throws a clear error naming the bad field. */
export function resolveBackoff(backoff: BackoffOptions | undefined): ResolvedBackoff {
  if (backoff === undefined) return DEFAULT_BACKOFF
  assertOptionsObject('backoff', backoff)
  if (backoff.type !== 'fixed' && backoff.type !== 'exponential') {
    throw invalid(
      backoff.type,
      `backoff.type must be 'fixed' or 'exponential', got ${describe(backoff.type)}`,
    )
  }
  const delayMs = assertOptionalMilliseconds('backoff.delayMs', backoff.delayMs)
  if (delayMs === undefined) throw invalid(undefined, 'backoff.delayMs is required, got undefined')
  const jitter = backoff.jitter === true ? 1 : backoff.jitter === false ? 0 : (backoff.jitter ?? 0)
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw invalid(
      jitter,
      `backoff.jitter must be a boolean or a number from 0 to 1, got ${describe(jitter)}`,
    )
  }
  const maxDelayMs =
    assertOptionalMilliseconds('backoff.maxDelayMs', backoff.maxDelayMs) ??
    DEFAULT_BACKOFF.maxDelayMs
  return { type: backoff.type, delayMs, jitter, maxDelayMs }
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
