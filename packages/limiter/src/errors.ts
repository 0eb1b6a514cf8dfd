/** Stable codes of the errors this package throws, for `switch (error.code)`. */
export type LimiterErrorCode =
  | 'ABORT_ERR'
  | 'LOOPWORK_LIMITER_TIMEOUT'
  | 'LOOPWORK_LIMITER_QUEUE_FULL'
  | 'LOOPWORK_LIMITER_BORROWER_HOLDS_TOKEN'
  | 'LOOPWORK_LIMITER_BORROWER_HOLDS_NO_TOKEN'

/** Base class of every error the limiter rejects with, so `instanceof LimiterError` catches them all. */
export class LimiterError extends Error {
  /** A stable machine-readable code. */
  readonly code: LimiterErrorCode

  constructor(code: LimiterErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'LimiterError'
    this.code = code
  }
}

/**
 * A wait for a token was cancelled through its `AbortSignal`. The signal's reason is the `cause`.
 * Named `AbortError` like the platform's own, so code that checks `error.name === 'AbortError'` works.
 */
export class AbortError extends LimiterError {
  constructor(limiterName: string, reason: unknown) {
    super('ABORT_ERR', `Waiting for a token of limiter "${limiterName}" was aborted`, {
      cause: reason,
    })
    this.name = 'AbortError'
  }
}

/** A wait for a token took longer than its `timeoutMs`. */
export class LimiterTimeoutError extends LimiterError {
  /** The `timeoutMs` that ran out. */
  readonly timeoutMs: number

  constructor(limiterName: string, timeoutMs: number) {
    super(
      'LOOPWORK_LIMITER_TIMEOUT',
      `No token of limiter "${limiterName}" became free within timeoutMs (${timeoutMs} ms)`,
    )
    this.name = 'LimiterTimeoutError'
    this.timeoutMs = timeoutMs
  }
}

/**
 * `maxWaiting` callers already wait, so this one is shed at once instead of queueing without bound.
 * HTTP adapters answer it with 503 and `Retry-After`.
 */
export class LimiterQueueFullError extends LimiterError {
  /** The `maxWaiting` bound that was reached. */
  readonly maxWaiting: number

  constructor(limiterName: string, maxWaiting: number) {
    super(
      'LOOPWORK_LIMITER_QUEUE_FULL',
      `Limiter "${limiterName}" already has maxWaiting (${maxWaiting}) callers waiting; raise maxWaiting or shed load upstream`,
    )
    this.name = 'LimiterQueueFullError'
    this.maxWaiting = maxWaiting
  }
}

/** A borrower asked for a second token while it holds or waits for one (a self-deadlock in the making). */
export class BorrowerAlreadyHoldsTokenError extends LimiterError {
  constructor(limiterName: string) {
    super(
      'LOOPWORK_LIMITER_BORROWER_HOLDS_TOKEN',
      `This borrower already holds or waits for a token of limiter "${limiterName}"; release it before acquiring again`,
    )
    this.name = 'BorrowerAlreadyHoldsTokenError'
  }
}

/** A borrower released a token it does not hold. */
export class BorrowerNotHoldingTokenError extends LimiterError {
  constructor(limiterName: string) {
    super(
      'LOOPWORK_LIMITER_BORROWER_HOLDS_NO_TOKEN',
      `This borrower holds no token of limiter "${limiterName}", so it has nothing to release`,
    )
    this.name = 'BorrowerNotHoldingTokenError'
  }
}
