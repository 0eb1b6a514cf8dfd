import type { Batch } from './batch.js'
import type { SlotState } from './slot-state.js'

/** Where an aborted load reports itself; the batcher's internal side. */
export interface LoadCanceller<K, V> {
  cancel(load: SignalledLoad<K, V>): void
}

/**
 * One caller that passed a signal. It has its own promise (chained to its key's promise), so it can
 * reject alone, and it is its own abort listener (`handleEvent`), so it allocates no closure. Its
 * listener is removed as soon as its batch settles, so a long-lived signal collects no listeners.
 */
export class SignalledLoad<K, V> {
  readonly batch: Batch<K, V>
  readonly slot: SlotState<V>
  readonly signal: AbortSignal
  readonly reject: (error: unknown) => void
  /** Aborted, or its batch settled: the abort listener is gone. */
  done = false
  readonly #canceller: LoadCanceller<K, V>

  constructor(
    canceller: LoadCanceller<K, V>,
    batch: Batch<K, V>,
    slot: SlotState<V>,
    signal: AbortSignal,
    reject: (error: unknown) => void,
  ) {
    this.#canceller = canceller
    this.batch = batch
    this.slot = slot
    this.signal = signal
    this.reject = reject
  }

  handleEvent(): void {
    if (!this.done) this.#canceller.cancel(this)
  }

  /** Stops listening: the batch settled, so an abort no longer changes anything. */
  stopListening(): void {
    if (this.done) return
    this.done = true
    this.signal.removeEventListener('abort', this)
  }
}
