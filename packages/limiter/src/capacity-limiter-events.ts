/** A snapshot of a limiter, as `statistics()` returns it. */
export interface CapacityLimiterStatistics {
  /** The limiter's name. */
  readonly name: string
  /** Tokens in total (the concurrency cap). */
  readonly totalTokens: number
  /** Tokens borrowed right now: calls holding a token. */
  readonly borrowedTokens: number
  /** Tokens free right now (never negative, even after a shrink below `borrowedTokens`). */
  readonly availableTokens: number
  /** Callers queued for a token. */
  readonly waiting: number
  /** The bound on `waiting`. */
  readonly maxWaiting: number
  /** Tokens handed out since the limiter was created. */
  readonly acquired: number
  /** Callers shed because `maxWaiting` were already waiting. */
  readonly rejected: number
  /** Waits that ran out of `timeoutMs`. */
  readonly timedOut: number
  /** Waits cancelled through their signal. */
  readonly aborted: number
}

/** Why a caller got no token. */
export type LimiterRejectReason = 'queue-full' | 'timeout' | 'abort'

/**
 * Events of a limiter. They are emitted only while someone listens, so they cost nothing on the
 * hot path otherwise.
 */
export interface CapacityLimiterEvents {
  /** A token was handed out. */
  acquire: (limiter: CapacityLimiterStatistics) => void
  /** A token was given back. */
  release: (limiter: CapacityLimiterStatistics) => void
  /** A caller found no free token and joined the queue. */
  wait: (limiter: CapacityLimiterStatistics) => void
  /** A caller got no token: shed because the queue was full, timed out, or aborted. */
  reject: (reason: LimiterRejectReason, limiter: CapacityLimiterStatistics) => void
}
