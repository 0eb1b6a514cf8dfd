/** The running counters behind `stats()`. */
export class BatchCounters {
  batches = 0
  keys = 0
  largestBatch = 0
  failedBatches = 0
  dedupedLoads = 0
  abortedLoads = 0
  rejectedLoads = 0
  totalWaitMs = 0
  longestWaitMs = 0

  /** A batch function call of `size` keys, `waitMs` after the batch's first key. */
  recordCall(size: number, waitMs: number): void {
    this.batches++
    this.keys += size
    if (size > this.largestBatch) this.largestBatch = size
    this.totalWaitMs += waitMs
    if (waitMs > this.longestWaitMs) this.longestWaitMs = waitMs
  }

  get meanBatchSize(): number {
    return this.batches === 0 ? 0 : this.keys / this.batches
  }

  get meanWaitMs(): number {
    return this.batches === 0 ? 0 : this.totalWaitMs / this.batches
  }
}
