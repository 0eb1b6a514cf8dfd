/** Stable codes of the errors this package throws, for `switch (error.code)`. */
export type BatcherErrorCode =
  | 'ABORT_ERR'
  | 'LOOPWORK_BATCHER_BATCH_FAILED'
  | 'LOOPWORK_BATCHER_BATCH_SHAPE'
  | 'LOOPWORK_BATCHER_MISSING_KEY'
  | 'LOOPWORK_BATCHER_QUEUE_FULL'

/** Base class of every error the batcher rejects with, so `instanceof BatcherError` catches them all. */
export class BatcherError extends Error {
  /** A stable machine-readable code. */
  readonly code: BatcherErrorCode

  constructor(code: BatcherErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'BatcherError'
    this.code = code
  }
}

/**
 * A load was cancelled through its `AbortSignal`; the signal's reason is the `cause`. Named
 * `AbortError` like the platform's own, so code that checks `error.name === 'AbortError'` works.
 * Also the reason of a batch's own signal once every caller of that batch has aborted.
 */
export class AbortError extends BatcherError {
  constructor(message: string, reason: unknown) {
    super('ABORT_ERR', message, { cause: reason })
    this.name = 'AbortError'
  }
}

/**
 * The batch function threw or rejected, so every load of that batch rejects with this error; what
 * the batch function threw is the `cause`.
 */
export class BatchFailedError extends BatcherError {
  /** How many keys the failed batch held. */
  readonly batchSize: number

  constructor(batcherName: string, batchSize: number, cause: unknown) {
    super(
      'LOOPWORK_BATCHER_BATCH_FAILED',
      `The batch function of batcher "${batcherName}" failed for a batch of ${batchSize} keys: ${describeCause(cause)}`,
      { cause },
    )
    this.name = 'BatchFailedError'
    this.batchSize = batchSize
  }
}

/**
 * The batch function returned something that cannot be matched to its keys: an array of the wrong
 * length, or neither an array nor a `Map`. Every load of that batch rejects with it.
 */
export class BatchShapeError extends BatcherError {
  /** How many keys the batch function was given. */
  readonly expectedLength: number
  /** The length of the array it returned, or `undefined` when it returned no array. */
  readonly actualLength: number | undefined

  constructor(batcherName: string, expectedLength: number, result: unknown) {
    const actualLength = Array.isArray(result) ? result.length : undefined
    const returned =
      actualLength === undefined
        ? `returned ${describeValue(result)} instead of an array or a Map`
        : `returned an array of length ${actualLength} for ${expectedLength} keys`
    super(
      'LOOPWORK_BATCHER_BATCH_SHAPE',
      `The batch function of batcher "${batcherName}" ${returned}; it must return one value per key in key order (expected length ${expectedLength}), or a Map from key to value`,
    )
    this.name = 'BatchShapeError'
    this.expectedLength = expectedLength
    this.actualLength = actualLength
  }
}

/** The batch function returned a `Map` without this load's key (and `missingKey` is `'reject'`). */
export class MissingKeyError extends BatcherError {
  /** The key the Map did not hold. */
  readonly key: unknown

  constructor(batcherName: string, key: unknown) {
    super(
      'LOOPWORK_BATCHER_MISSING_KEY',
      `The batch function of batcher "${batcherName}" returned a Map without the key ${describeValue(key)}; return a value (or an Error) for every key, or set missingKey: 'undefined'`,
    )
    this.name = 'MissingKeyError'
    this.key = key
  }
}

/**
 * `maxPendingKeys` keys already wait to be sent to the batch function (every concurrent batch is in
 * flight and more keys keep coming), so this load is shed at once instead of queueing without bound.
 * HTTP adapters answer it with 503 and `Retry-After`.
 */
export class BatcherQueueFullError extends BatcherError {
  /** The `maxPendingKeys` bound that was reached. */
  readonly maxPendingKeys: number

  constructor(batcherName: string, maxPendingKeys: number) {
    super(
      'LOOPWORK_BATCHER_QUEUE_FULL',
      `Batcher "${batcherName}" already has maxPendingKeys (${maxPendingKeys}) keys waiting for a batch; raise maxPendingKeys or maxConcurrentBatches, or shed load upstream`,
    )
    this.name = 'BatcherQueueFullError'
    this.maxPendingKeys = maxPendingKeys
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : describeValue(cause)
}

/** A short, safe description of any value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (value === null || typeof value !== 'object') return String(value)
  if (value instanceof Map) return `a Map of size ${value.size}`
  return `an object (${value.constructor?.name ?? 'null prototype'})`
}
