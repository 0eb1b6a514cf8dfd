/**
 * Counters of a cache, as `stats()` returns them. The metrics package reads exactly these fields.
 */
export interface TtlCacheStats {
  /** Lookups answered with a fresh value (including a remembered failure within `negativeTtlMs`). */
  readonly hits: number
  /** Lookups that found no usable value: they started a load or joined one in flight. */
  readonly misses: number
  /** Lookups answered with a stale value within `staleWhileRevalidateMs`. */
  readonly staleHits: number
  /** Loader calls started, including background refreshes. */
  readonly loads: number
  /** Loader calls that failed (rejected, threw or resolved to `undefined`), not counting ones the cache aborted. */
  readonly loadErrors: number
  /** Entries removed by the cache itself: evicted for room (`max`/`maxSize`) or expired. */
  readonly evictions: number
  /** Entries held right now. */
  readonly size: number
}

/** Why an entry was removed by the cache itself. */
export type EvictionReason = 'capacity' | 'expired'

/**
 * Events of a cache (eventemitter3). They are emitted only while someone listens, so they cost
 * nothing on the hot path otherwise.
 */
export interface TtlCacheEvents<K> {
  /** A lookup found a fresh value. */
  hit: (key: K) => void
  /** A lookup found no usable value. */
  miss: (key: K) => void
  /** A lookup was answered with a stale value (a background refresh runs or ran). */
  stale: (key: K) => void
  /** The cache removed an entry for room or because it expired. */
  evict: (key: K, reason: EvictionReason) => void
  /** A load or background refresh failed. */
  loadError: (key: K, error: unknown) => void
}

/**
 * How a value was served: `hit` (fresh from the cache), `miss` (loaded, by this call or one it joined)
 * or `stale` (an expired value served while it is refreshed). Maps directly to an `X-Cache` header.
 */
export type CacheStatus = 'hit' | 'miss' | 'stale'

/** A value together with how it was served, as `getOrLoadWithStatus` resolves. */
export interface CacheResult<V> {
  /** The value. */
  readonly value: V
  /** How it was served. */
  readonly status: CacheStatus
}
