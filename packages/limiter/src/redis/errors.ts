import { LoopworkError } from '@loopwork/internal'

export * from '@loopwork/internal/shared-errors'

/**
 * Redis could not be reached (a failed call, or one past `commandTimeoutMs`) and the limiter runs
 * with `onOutage: 'failClosed'`, so the caller got no token. `cause` is the Redis failure. HTTP
 * adapters can answer it with 503; the limiter returns to normal by itself once Redis answers.
 */
export class RedisUnavailableError extends LoopworkError {
  static override readonly code = 'LOOPWORK_REDIS_UNAVAILABLE'

  constructor(message: string, cause: unknown) {
    super(message, { cause, name: 'RedisUnavailableError' })
  }
}

/**
 * The reason a lease's `signal` aborts with: the lease ran out before it could be renewed, so the
 * token may already belong to someone else. Work that checks the signal should stop.
 */
export class LeaseLostError extends LoopworkError {
  static override readonly code = 'LOOPWORK_LEASE_LOST'

  /** `'expired'` (renewed too late) or `'unrenewed'` (no renewal could be confirmed in time). */
  declare readonly reason: 'expired' | 'unrenewed'

  constructor(message: string, reason: 'expired' | 'unrenewed') {
    super(message, { name: 'LeaseLostError' }, { reason })
  }
}
