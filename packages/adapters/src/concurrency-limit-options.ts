import type { CapacityLimiter } from '@loopwork/limiter'
import type { AdmissionOptions } from './concurrency-admission.js'
import {
  assertHasMethods,
  assertOptionalMilliseconds,
  assertOptionsObject,
} from './option-validation.js'
import { type ServiceUnavailable, serviceUnavailable } from './service-unavailable.js'

/** Options of the `concurrencyLimit` middleware/plugin/hook of every adapter. */
export interface ConcurrencyLimitOptions {
  /**
   * The limiter that admits requests: at most `totalTokens` are handled at once, at most
   * `maxWaiting` wait (past that they get 503 at once), and a client that leaves while waiting
   * frees its place without ever taking a token. Share one limiter between routes to share the cap.
   *
   * @example concurrencyLimit({ limiter: new CapacityLimiter({ totalTokens: 40, maxWaiting: 200 }) })
   */
  readonly limiter: CapacityLimiter

  /**
   * The `Retry-After` of the 503 sent when the limiter's queue is full, in whole seconds.
   *
   * @default 1
   * @example concurrencyLimit({ limiter, retryAfterSeconds: 5 })
   */
  readonly retryAfterSeconds?: number | undefined

  /**
   * Longest time a request may wait for a token before it gets 503 too, in milliseconds.
   *
   * @default undefined (wait as long as it takes; `maxWaiting` still bounds the queue)
   * @example concurrencyLimit({ limiter, timeoutMs: 2_000 })
   */
  readonly timeoutMs?: number | undefined
}

/** The checked options, with the 503 built once. */
export interface ResolvedConcurrencyLimit {
  readonly limiter: CapacityLimiter
  readonly admission: AdmissionOptions | undefined
  readonly refusal: ServiceUnavailable
}

/** Checks the options of a concurrency limit and prepares its 503. */
export function resolveConcurrencyLimit(
  options: ConcurrencyLimitOptions,
): ResolvedConcurrencyLimit {
  assertOptionsObject('options', options)
  assertHasMethods('limiter', options.limiter, ['tryAcquire', 'acquire'])
  const timeoutMs = assertOptionalMilliseconds('timeoutMs', options.timeoutMs)
  return {
    limiter: options.limiter,
    admission: timeoutMs === undefined ? undefined : { timeoutMs },
    refusal: serviceUnavailable('concurrency-limit', options.retryAfterSeconds),
  }
}
