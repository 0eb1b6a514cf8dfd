// Options, stats and events of TtlCache and cached(); the Redis tier's own are in redis/types.ts, so
// that these declarations never need ioredis (an optional peer dependency).
// Every duration is in milliseconds, from 0 to 2,147,483,647 (MAX_TIMEOUT_MS, about 24.8 days); a
// larger finite value is refused with a RangeError. Each option says whether it also takes Infinity.

/** Options of a {@link TtlCache}. */
export interface TtlCacheOptions<K, V> {
  /**
   * The cache's name: in `stats().name`, in error messages and as a label where the cache's
   * counters are exported. A non-empty string.
   *
   * @default 'cache'
   * @example new TtlCache({ name: 'items', max: 10_000, ttlMs: 60_000 })
   */
  readonly name?: string | undefined

  /**
   * The most entries the cache holds; the least recently used one is evicted to make room. A
   * positive integer. Required unless `maxSize` is given, so memory always has a bound.
   *
   * @default undefined (then `maxSize` is required)
   * @example new TtlCache({ max: 10_000, ttlMs: 60_000 })
   */
  readonly max?: number | undefined

  /**
   * The most total size the entries may have, as measured by `sizeCalculation`; least recently
   * used entries are evicted to stay under it. A value larger than `maxSize` on its own is not stored.
   * Can be combined with `max`. A positive integer.
   *
   * @default undefined (no size bound; then `max` is required)
   * @example new TtlCache({ maxSize: 50_000_000, sizeCalculation: (html: string) => html.length, ttlMs: 30_000 })
   */
  readonly maxSize?: number | undefined

  /**
   * Measures one entry for `maxSize`; must return a positive integer. Required with `maxSize`.
   *
   * @default undefined
   * @example new TtlCache({ maxSize: 1e8, sizeCalculation: (body: Buffer) => body.byteLength, ttlMs: 10_000 })
   */
  readonly sizeCalculation?: ((value: V, key: K) => number) | undefined

  /**
   * How long a stored value is fresh, in milliseconds. `Infinity` means "never expires": values stay
   * until they are evicted or deleted. `0` means values are not stored (unless
   * `staleWhileRevalidateMs` is set). Each `set` and `getOrLoad` may override it.
   *
   * @example new TtlCache({ max: 1000, ttlMs: 60_000 })
   */
  readonly ttlMs: number

  /**
   * After `ttlMs`, for this many more milliseconds the old value is still served (as `stale`) while
   * one background refresh runs; a failing refresh keeps the old value until this window ends.
   * `0` turns stale-while-revalidate off: an expired value is a miss. `Infinity` means "no limit":
   * an expired value is served (and refreshed) until it is evicted, deleted or replaced.
   *
   * @default 0
   * @example new TtlCache({ max: 1000, ttlMs: 60_000, staleWhileRevalidateMs: 30_000 })
   */
  readonly staleWhileRevalidateMs?: number | undefined

  /**
   * How long a failed load is remembered, in milliseconds: callers within this window get the same
   * error without calling the loader again, and a failed background refresh is not retried sooner.
   * `0` never caches failures: the next call retries at once. `Infinity` is refused: a failure
   * remembered forever would never be retried.
   *
   * @default 0
   * @example new TtlCache({ max: 1000, ttlMs: 60_000, negativeTtlMs: 1_000 })
   */
  readonly negativeTtlMs?: number | undefined

  /**
   * How often one timer (unref'd, so it never holds the process open) removes expired entries that
   * nobody reads any more. Expired entries are always removed when read; the sweep only returns their
   * memory earlier. `0` or `Infinity` turns the sweep off.
   *
   * @default 60_000 (DEFAULT_SWEEP_INTERVAL_MS)
   * @example new TtlCache({ max: 1000, ttlMs: 5_000, sweepIntervalMs: 10_000 })
   */
  readonly sweepIntervalMs?: number | undefined
}

/** What a loader gets: the key, a signal, and a way to set the stored value's TTL and tags. */
export interface LoadContext<K> {
  /** The key being loaded. */
  readonly key: K
  /**
   * Aborted when nobody waits for this load any more (every caller's own signal fired), or when a
   * background refresh becomes pointless because its key was deleted. Pass it to `fetch` or the driver.
   */
  readonly signal: AbortSignal
  /**
   * Overrides the TTL of the value this load stores, for example from an HTTP `Cache-Control: max-age`,
   * in milliseconds up to 2,147,483,647; `Infinity` means "never expires" (for the Redis tier: the
   * TTL the call asked for). `0` returns the value to the waiting callers without storing it.
   */
  setTtl(ttlMs: number): void
  /**
   * Replaces the tags this load stores its value with, for tags that depend on the loaded data
   * (say, the tenant of a row). Tag invalidations that happen while the load runs still apply.
   */
  setTags(tags: readonly string[]): void
}

/**
 * Loads the value of a key on a miss or a background refresh. It may return the value, a promise of
 * it, or any thenable (whose `then()` is called exactly once).
 */
export type Loader<K, V> = (context: LoadContext<K>) => V | PromiseLike<V>

/** Options of one `set`. */
export interface SetOptions {
  /**
   * How long this value is fresh, in milliseconds; `Infinity` means "never expires" (the Redis tier
   * refuses it: values in Redis always have a TTL).
   *
   * @default the cache's `ttlMs`
   * @example cache.set('user:1', user, { ttlMs: 5_000 })
   */
  readonly ttlMs?: number | undefined

  /**
   * How long after `ttlMs` this value may still be served stale while it is refreshed; `Infinity`
   * means "no limit".
   *
   * @default the cache's `staleWhileRevalidateMs`
   * @example cache.set('user:1', user, { ttlMs: 5_000, staleWhileRevalidateMs: 60_000 })
   */
  readonly staleWhileRevalidateMs?: number | undefined

  /**
   * Tags for group invalidation: `invalidateTag(tag)` removes every entry that carries the tag.
   *
   * @default []
   * @example cache.set('user:1', user, { tags: ['users', 'tenant:7'] })
   */
  readonly tags?: readonly string[] | undefined
}

/** Options of one `getOrLoad`. TTL and tags apply to the value a load stores; the first caller's options win. */
export interface GetOrLoadOptions extends SetOptions {
  /**
   * Cancels this caller's wait: it rejects at once with `AbortError`. A load that other callers still
   * wait for keeps running; the loader's own signal fires only when nobody waits any more. A hit or a
   * stale hit is answered at once and never aborted.
   *
   * @default undefined (the wait cannot be cancelled)
   * @example await cache.getOrLoad(key, loader, { signal: request.signal })
   */
  readonly signal?: AbortSignal | undefined
}

/** Anything `cached` can store into: a `TtlCache`, or the Redis tier's `RedisTtlCache`. */
export interface LoadingCache<K, V> {
  /** Loads or returns the value of `key` (see `TtlCache.getOrLoad`). */
  getOrLoad(key: K, loader: Loader<K, V>, options?: GetOrLoadOptions): Promise<V>
  /** Like `getOrLoad`, and tells how the value was served. */
  getOrLoadWithStatus(
    key: K,
    loader: Loader<K, V>,
    options?: GetOrLoadOptions,
  ): Promise<CacheResult<V>>
}

/** Options of {@link cached}. */
export interface CachedOptions<A extends unknown[], K, V> {
  /**
   * The cache the results go to; share one between functions to share its bound and counters.
   *
   * @example cached(fetchItem, { cache: new TtlCache({ max: 10_000, ttlMs: 60_000 }), key: (id) => `item:${id}` })
   */
  readonly cache: LoadingCache<K, V>

  /**
   * Turns the arguments into the cache key. Include every argument that changes the result, and a
   * prefix per function when functions share a cache.
   *
   * @example cached(fetchItem, { cache, key: (id: number) => `item:${id}` })
   */
  readonly key: (...args: A) => K

  /**
   * How long results stay fresh, in milliseconds; `Infinity` means "never expires" (not for the
   * Redis tier).
   *
   * @default the cache's `ttlMs`
   * @example cached(fetchItem, { cache, key, ttlMs: 5_000 })
   */
  readonly ttlMs?: number | undefined

  /**
   * How long after `ttlMs` a result may still be served while it is refreshed; `Infinity` means
   * "no limit".
   *
   * @default the cache's `staleWhileRevalidateMs`
   * @example cached(fetchItem, { cache, key, staleWhileRevalidateMs: 30_000 })
   */
  readonly staleWhileRevalidateMs?: number | undefined

  /**
   * Tags for the stored results, fixed or computed from the arguments.
   *
   * @default []
   * @example cached(fetchItem, { cache, key, tags: (id: number) => ['items', `item:${id}`] })
   */
  readonly tags?: readonly string[] | ((...args: A) => readonly string[]) | undefined
}

/** Counters of a cache, as `stats()` returns them (a fresh object on each call). */
export interface TtlCacheStats {
  /** The cache's `name`. */
  readonly name: string
  /** Callers waiting right now for a load in flight (the caller that started it included). */
  readonly waiting: number
  /**
   * Loader calls in flight right now, background refreshes included; a load that was detached or
   * abandoned counts until its loader settles.
   */
  readonly running: number
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

/** Why an entry was removed by the cache itself: for room (`max`/`maxSize`), or because it expired. */
export type EvictionReason = 'capacity' | 'expired'

/** The object of the `hit`, `miss` and `stale` events. */
export interface CacheKeyEvent<K> {
  /** The key looked up. */
  readonly key: K
}

/** The object of the `evict` event. */
export interface CacheEvictEvent<K> {
  /** The key removed. */
  readonly key: K
  /** `'capacity'` (evicted for room) or `'expired'`. */
  readonly reason: EvictionReason
}

/** The object of the `loadError` event. */
export interface CacheLoadErrorEvent<K> {
  /** The key whose load failed. */
  readonly key: K
  /** What the loader threw or rejected with (an `InvalidCacheValueError` for `undefined`). */
  readonly error: unknown
}

/**
 * Events of a cache (eventemitter3); each listener gets one event object. They are emitted only
 * while someone listens, so they cost nothing on the hot path otherwise.
 */
export interface TtlCacheEvents<K> {
  /** A lookup found a fresh value. */
  hit: [event: CacheKeyEvent<K>]
  /** A lookup found no usable value. */
  miss: [event: CacheKeyEvent<K>]
  /** A lookup was answered with a stale value (a background refresh runs or ran). */
  stale: [event: CacheKeyEvent<K>]
  /** The cache removed an entry for room or because it expired. */
  evict: [event: CacheEvictEvent<K>]
  /** A load or background refresh failed (not counting loads the cache itself aborted). */
  loadError: [event: CacheLoadErrorEvent<K>]
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
