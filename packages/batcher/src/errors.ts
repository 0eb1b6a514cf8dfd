import { describeValue, LoopworkError, messageOf } from '@loopwork/internal'

export {
  AbortError,
  isLoopworkError,
  LoopworkError,
  QueueFullError,
} from '@loopwork/internal'

/**
 * The codes a batcher's loads reject with, for `switch (error.code)`: `ABORT_ERR` (`AbortError`),
 * `LOOPWORK_QUEUE_FULL` (`QueueFullError`), and the batcher's own three. A bad option is a
 * `TypeError` or `RangeError` with code `LOOPWORK_INVALID_OPTION` instead.
 */
export type BatcherErrorCode =
  | 'ABORT_ERR'
  | 'LOOPWORK_QUEUE_FULL'
  | 'LOOPWORK_BATCH_FAILED'
  | 'LOOPWORK_BATCH_SHAPE'
  | 'LOOPWORK_MISSING_KEY'

/**
 * The batch function threw or rejected, so every load of that batch rejects with this error; what
 * the batch function threw is the `cause`.
 */
export class BatchFailedError extends LoopworkError {
  static override readonly code = 'LOOPWORK_BATCH_FAILED'

  /** How many keys the failed batch held. */
  declare readonly batchSize: number

  constructor(batcherName: string, batchSize: number, cause: unknown) {
    super(
      `The batch function of batcher "${batcherName}" failed for a batch of ${batchSize} keys: ${messageOf(cause)}`,
      { cause, name: 'BatchFailedError' },
      { batchSize },
    )
  }
}

/**
 * The batch function returned something that cannot be matched to its keys: an array of the wrong
 * length, or neither an array nor a `Map`. Every load of that batch rejects with it.
 */
export class BatchShapeError extends LoopworkError {
  static override readonly code = 'LOOPWORK_BATCH_SHAPE'

  /** How many keys the batch function was given. */
  declare readonly expectedLength: number
  /** The length of the array it returned, or `undefined` when it returned no array. */
  declare readonly actualLength: number | undefined

  constructor(batcherName: string, expectedLength: number, result: unknown) {
    const actualLength = Array.isArray(result) ? result.length : undefined
    const returned =
      actualLength === undefined
        ? `returned ${describeValue(result)} instead of an array or a Map`
        : `returned an array of length ${actualLength} for ${expectedLength} keys`
    super(
      `The batch function of batcher "${batcherName}" ${returned}; it must return one value per key in key order (expected length ${expectedLength}), or a Map from key to value`,
      { name: 'BatchShapeError' },
      { expectedLength, actualLength },
    )
  }
}

/** The batch function returned a `Map` without this load's key (and `missingKey` is `'reject'`). */
export class MissingKeyError extends LoopworkError {
  static override readonly code = 'LOOPWORK_MISSING_KEY'

  /** The key the Map did not hold. */
  declare readonly key: unknown

  constructor(batcherName: string, key: unknown) {
    super(
      `The batch function of batcher "${batcherName}" returned a Map without the key ${describeValue(key)}; return a value (or an Error) for every key, or set missingKey: 'undefined'`,
      { name: 'MissingKeyError' },
      { key },
    )
  }
}
