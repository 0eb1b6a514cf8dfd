import type { CacheResult } from '../types.js'

/**
 * One stored value (or one remembered failure) with its deadlines. The promises a hit hands out are
 * created once per entry and shared by every later hit, so a hit allocates nothing (DataLoader
 * allocates a promise per cached load, graphql/dataloader#377).
 */
export class CacheEntry<V> {
  /** The value; `undefined` when the entry remembers a failure. */
  readonly value: V
  /** The failure remembered within `negativeTtlMs`, when `failed`. */
  readonly error: unknown
  readonly failed: boolean
  /** Until then (clock milliseconds) the entry is fresh. */
  readonly freshUntil: number
  /** Until then the entry may be served stale; after it the entry is gone for good. */
  readonly staleUntil: number
  readonly tags: readonly string[] | undefined
  /** A failed background refresh is not retried before then. */
  refreshBlockedUntil = 0
  #settled: Promise<V> | undefined
  #hit: Promise<CacheResult<V>> | undefined
  #stale: Promise<CacheResult<V>> | undefined

  constructor(
    value: V,
    error: unknown,
    failed: boolean,
    freshUntil: number,
    staleUntil: number,
    tags: readonly string[] | undefined,
  ) {
    this.value = value
    this.error = error
    this.failed = failed
    this.freshUntil = freshUntil
    this.staleUntil = staleUntil
    this.tags = tags
  }

  /** The value as a settled promise: resolved, or rejected with the remembered failure. */
  settled(): Promise<V> {
    this.#settled ??= this.failed ? ownedRejection<V>(this.error) : Promise.resolve(this.value)
    return this.#settled
  }

  /** The value with status `hit`, as a shared settled promise. */
  hit(): Promise<CacheResult<V>> {
    if (this.failed) return this.settled() as Promise<never>
    this.#hit ??= Promise.resolve(Object.freeze({ value: this.value, status: 'hit' }))
    return this.#hit
  }

  /** The value with status `stale`, as a shared settled promise. */
  stale(): Promise<CacheResult<V>> {
    this.#stale ??= Promise.resolve(Object.freeze({ value: this.value, status: 'stale' }))
    return this.#stale
  }
}

/** A rejected promise shared by many callers: each one awaiting it handles the rejection, this marks it owned. */
function ownedRejection<V>(error: unknown): Promise<V> {
  const rejected = Promise.reject(error)
  rejected.catch(ignore)
  return rejected
}

function ignore(): void {}
