import { keepHiddenClass } from './hidden-class-samples.js'

/** The running counters behind `stats()`. */
export class BatchCounters {
  batches = 0
  keys = 0
  largestBatch = 0
  failedBatches = 0
  dedupedLoads = 0
  abortedLoads = 0
  rejectedLoads = 0
  /**
   * The total and the longest wait, in milliseconds. Fractions from the first batch on: kept in a
   * typed array, so they never change the hidden class of the counters (see keepHiddenClass).
   */
  readonly #waitMs = new Float64Array(2)

  /** A batch function call of `size` keys, `waitMs` after the batch's first key. */
  recordCall(size: number, waitMs: number): void {
    this.batches++
    this.keys += size
    if (size > this.largestBatch) this.largestBatch = size
    const wait = this.#waitMs
    wait[0] = wait[0]! + waitMs
    if (waitMs > wait[1]!) wait[1] = waitMs
  }

  get meanBatchSize(): number {
    return this.batches === 0 ? 0 : this.keys / this.batches
  }

  get meanWaitMs(): number {
    return this.batches === 0 ? 0 : this.#waitMs[0]! / this.batches
  }

  get longestWaitMs(): number {
    return this.#waitMs[1]!
  }
}

keepHiddenClass(new BatchCounters())
