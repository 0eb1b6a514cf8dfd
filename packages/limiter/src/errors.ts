import { LoopworkError } from '@loopwork/internal'

export {
  AbortError,
  isLoopworkError,
  LoopworkError,
  QueueFullError,
  TimeoutError,
} from '@loopwork/internal'

/**
 * A borrower asked for a token while it already holds or waits for one: the same borrower acquiring
 * twice would wait for itself forever, so it fails at once instead.
 */
export class BorrowerAlreadyHoldsTokenError extends LoopworkError {
  static override readonly code = 'LOOPWORK_BORROWER_HOLDS_TOKEN'

  /** @param limiterName The `name` of the limiter, for the message. */
  constructor(limiterName: string) {
    super(
      `This borrower already holds or waits for a token of limiter "${limiterName}"; release it before acquiring again`,
      { name: 'BorrowerAlreadyHoldsTokenError' },
    )
  }
}

/** A borrower gave back a token it does not hold; nothing was released. */
export class BorrowerNotHoldingTokenError extends LoopworkError {
  static override readonly code = 'LOOPWORK_BORROWER_HOLDS_NO_TOKEN'

  /** @param limiterName The `name` of the limiter, for the message. */
  constructor(limiterName: string) {
    super(
      `This borrower holds no token of limiter "${limiterName}", so it has nothing to release`,
      { name: 'BorrowerNotHoldingTokenError' },
    )
  }
}
