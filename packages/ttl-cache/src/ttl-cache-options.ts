/** Options of a {@link TtlCache}. */
export interface TtlCacheOptions<K, V> {
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
   * Can be combined with `max`.
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
   * How long a stored value is fresh, in milliseconds. `Infinity` keeps values until they are evicted
   * or deleted; `0` means values are not stored (unless `staleWhileRevalidateMs` is set). Each `set`
   * and `getOrLoad` may override it.
   *
   * @example new TtlCache({ max: 1000, ttlMs: 60_000 })
   */
  readonly ttlMs: number

  /**
   * After `ttlMs`, for this many more milliseconds the old value is still served (as `stale`) while
   * one background refresh runs; a failing refresh keeps the old value until this window ends.
   * `0` turns stale-while-revalidate off: an expired value is a miss.
   *
   * @default 0
   * @example new TtlCache({ max: 1000, ttlMs: 60_000, staleWhileRevalidateMs: 30_000 })
   */
  readonly staleWhileRevalidateMs?: number | undefined

  /**
   * How long a failed load is remembered, in milliseconds: callers within this window get the same
   * error without calling the loader again, and a failed background refresh is not retried sooner.
   * `0` never caches failures: the next call retries at once.
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
   * @default 60_000
   * @example new TtlCache({ max: 1000, ttlMs: 5_000, sweepIntervalMs: 10_000 })
   */
  readonly sweepIntervalMs?: number | undefined
}

/** What a loader gets: the key, a signal, and a way to set the stored value's TTL. */
export interface LoadContext<K> {
  /** The key being loaded. */
  readonly key: K
  /**
   * Aborted when nobody waits for this load any more (every caller's own signal fired), or when a
   * background refresh becomes pointless because its key was deleted. Pass it to `fetch` or the driver.
   */
  readonly signal: AbortSignal
  /**
   * Overrides the TTL of the value this load stores, for example from an HTTP `Cache-Control: max-age`.
   * `0` returns the value to the waiting callers without storing it.
   */
  setTtl(ttlMs: number): void
  /**
   * Replaces the tags this load stores its value with, for tags that depend on the loaded data
   * (say, the tenant of a row). Tag invalidations that happen while the load runs still apply.
   */
  setTags(tags: readonly string[]): void
}

/** Loads the value of a key on a miss or a background refresh. It may return the value or a promise of it. */
export type Loader<K, V> = (context: LoadContext<K>) => V | PromiseLike<V>

/** Options of one `set`. */
export interface SetOptions {
  /**
   * How long this value is fresh, in milliseconds.
   *
   * @default the cache's `ttlMs`
   * @example cache.set('user:1', user, { ttlMs: 5_000 })
   */
  readonly ttlMs?: number | undefined

  /**
   * How long after `ttlMs` this value may still be served stale while it is refreshed.
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
   * @example await cache.getOrLoad(key, loader, { signal: request.signal })
   */
  readonly signal?: AbortSignal | undefined
}
