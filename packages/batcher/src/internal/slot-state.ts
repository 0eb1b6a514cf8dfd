/**
 * The bookkeeping of a key that a caller with a signal asked for. Keys asked only by callers without
 * a signal need none: they are just a position and a promise, and can never be abandoned.
 */
export class SlotState<V> {
  /** The key's position in its batch; -1 for a key first asked without a signal (never abandoned). */
  readonly position: number
  /** The promise every caller of this key settles from (a reaction to its batch's promise). */
  readonly promise: Promise<V>
  /** The key's identity in the dedupe index, to take it out when the key is abandoned. */
  readonly cacheKey: unknown
  /** Whether a caller without a signal (who cannot abort) waits for this key. */
  shared: boolean
  /** Callers with a signal that still wait. */
  liveLoads = 0

  constructor(position: number, promise: Promise<V>, cacheKey: unknown, shared: boolean) {
    this.position = position
    this.promise = promise
    this.cacheKey = cacheKey
    this.shared = shared
  }
}
