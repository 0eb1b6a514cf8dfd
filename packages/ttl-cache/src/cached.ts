import { assertFunction } from './option-validation.js'
import type { CacheResult } from './ttl-cache-events.js'
import type { GetOrLoadOptions, Loader } from './ttl-cache-options.js'

/** Anything `cached` can store into: a `TtlCache`, or the Redis tier's `RedisTtlCache`. */
export interface LoadingCache<K, V> {
  getOrLoad(key: K, loader: Loader<K, V>, options?: GetOrLoadOptions): Promise<V>
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
   * How long results stay fresh, in milliseconds.
   *
   * @default the cache's `ttlMs`
   * @example cached(fetchItem, { cache, key, ttlMs: 5_000 })
   */
  readonly ttlMs?: number | undefined

  /**
   * How long after `ttlMs` a result may still be served while it is refreshed.
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

/**
 * Wraps `fn` so its results are cached: the returned function has `fn`'s parameters and resolves to
 * its result, and concurrent calls with one key run `fn` once. `this` is passed through, so the wrapper
 * also works as a method. Wrap the data function, then hand the wrapper to whoever calls it (a route
 * handler, a resolver); wrapping the handler instead keys the cache by request objects.
 *
 * @example
 * const getItem = cached(fetchItem, { cache, key: (id: number) => `item:${id}`, ttlMs: 60_000 })
 * const item = await getItem(1) // typed like fetchItem
 */
export function cached<A extends unknown[], R, K>(
  fn: (...args: A) => R,
  options: CachedOptions<A, K, Awaited<R>>,
): (...args: A) => Promise<Awaited<R>> {
  assertFunction('fn', fn)
  if (options === null || typeof options !== 'object') {
    throw new TypeError('cached() needs options: { cache, key }')
  }
  assertFunction('options.key', options.key)
  const { cache, key, ttlMs, staleWhileRevalidateMs, tags } = options
  if (cache === null || typeof cache !== 'object' || typeof cache.getOrLoad !== 'function') {
    throw new TypeError('options.cache must be a TtlCache (or another cache with getOrLoad)')
  }
  const fixed: GetOrLoadOptions = {
    ttlMs,
    staleWhileRevalidateMs,
    tags: typeof tags === 'function' ? undefined : tags,
  }
  return function cachedCall(this: unknown, ...args: A): Promise<Awaited<R>> {
    const loadOptions =
      typeof tags === 'function' ? { ...fixed, tags: tags.apply(this, args) } : fixed
    return cache.getOrLoad(
      key.apply(this, args),
      () => fn.apply(this, args) as Awaited<R> | PromiseLike<Awaited<R>>,
      loadOptions,
    )
  }
}
