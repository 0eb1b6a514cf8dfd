/** A snapshot of a batcher, as `stats()` returns it. Counters run from the batcher's creation. */
export interface BatcherStats {
  /** The batcher's name. */
  readonly name: string
  /** Batch function calls (dispatched batches). */
  readonly batches: number
  /** Keys sent to the batch function, over all batches. */
  readonly keys: number
  /** `keys / batches` (0 before the first batch). */
  readonly meanBatchSize: number
  /** The largest batch dispatched so far (not the `maxBatchSize` option). */
  readonly maxBatchSize: number
  /** Batches whose batch function threw, rejected or returned a malformed result. */
  readonly failedBatches: number
  /** Keys waiting to be sent: the collecting batch plus full batches waiting for a slot. */
  readonly pending: number
  /** Full batches waiting for a `maxConcurrentBatches` slot. */
  readonly queuedBatches: number
  /** Batches whose batch function has not settled yet. */
  readonly inFlightBatches: number
  /** Loads that joined a key already waiting in their batch (`dedupe`) and added no key. */
  readonly dedupedLoads: number
  /** Loads cancelled through their signal. */
  readonly abortedLoads: number
  /** Loads shed at once because `maxPendingKeys` keys were already waiting. */
  readonly rejectedLoads: number
  /** Mean time from a batch's first key to its dispatch, in milliseconds (the window plus any wait for a slot). */
  readonly meanWaitMs: number
  /** The longest such wait, in milliseconds. */
  readonly maxWaitMs: number
}

/** The payload of the `'batch'` event: one batch function call that settled. */
export interface BatchEvent {
  /** Keys in the batch. */
  readonly size: number
  /** From calling the batch function to its settling, in milliseconds. */
  readonly durationMs: number
  /** From the batch's first key to its dispatch, in milliseconds. */
  readonly waitMs: number
  /**
   * Set when the batch failed as a whole: the `BatchFailedError` or `BatchShapeError` its loads
   * rejected with. Per-key `Error` values do not count as a failed batch.
   */
  readonly error?: Error
}

/**
 * Events of a batcher (an eventemitter3 emitter). The payload is built only while someone listens, so
 * it costs nothing on the hot path otherwise. A listener that throws is reported as an uncaught
 * exception; it never leaves a load unsettled.
 */
export interface BatcherEvents {
  /** A batch function call settled (fulfilled or failed). */
  batch: (event: BatchEvent) => void
}
