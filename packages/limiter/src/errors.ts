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

  constructor(message: string) {
    super(message, { name: 'BorrowerAlreadyHoldsTokenError' })
  }
}

/** A borrower gave back a token it does not hold; nothing was released. */
export class BorrowerNotHoldingTokenError extends LoopworkError {
  static override readonly code = 'LOOPWORK_BORROWER_HOLDS_NO_TOKEN'

  constructor(message: string) {
    super(message, { name: 'BorrowerNotHoldingTokenError' })
  }
}
