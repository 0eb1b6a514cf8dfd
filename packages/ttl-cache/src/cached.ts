import * as option from '@loopwork/internal/options'
import {
  checkCacheOptions,
  staleWindowOption,
  tagsOption,
  ttlOption,
} from './internal/option-schemas.js'
import type { CachedOptions, GetOrLoadOptions } from './types.js'

const cachedSchema: option.Schema = {
  cache: (name, value) => {
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { getOrLoad?: unknown }).getOrLoad === 'function'
    ) {
      return value
    }
    throw option.invalid(name, value, 'a TtlCache (or another cache with getOrLoad)')
  },
  key: option.function,
  ttlMs: ttlOption,
  staleWhileRevalidateMs: staleWindowOption,
  tags: (name, value) => (typeof value === 'function' ? value : tagsOption(name, value)),
}

/**
 * Wraps `fn` so its results are cached: the returned function has `fn`'s parameters and resolves to
 * its result, and concurrent calls with one key run `fn` once. `this` is passed through, so the wrapper
 * also works as a method. What `fn` returns is adopted once: a thenable's `then()` (a query builder's)
 * is called exactly once. Wrap the data function, then hand the wrapper to whoever calls it (a route
 * handler, a resolver); wrapping the handler instead keys the cache by request objects.
 *
 * Bad options throw at once: a `TypeError` or `RangeError` with code `LOOPWORK_INVALID_OPTION` that
 * names the option (an unknown one with the closest known name).
 *
 * @example
 * const getItem = cached(fetchItem, { cache, key: (id: number) => `item:${id}`, ttlMs: 60_000 })
 * const item = await getItem(1) // typed like fetchItem
 */
export function cached<A extends unknown[], R, K>(
  fn: (...args: A) => R,
  options: CachedOptions<A, K, Awaited<R>>,
): (...args: A) => Promise<Awaited<R>> {
  option.function('fn', fn)
  checkCacheOptions('cached() options', options, cachedSchema)
  if (options === undefined) throw option.invalid('cached() options', options, '{ cache, key }')
  const { cache, key, ttlMs, staleWhileRevalidateMs, tags } = options
  if (cache === undefined)
    throw option.invalid('cache', cache, 'a TtlCache (or another cache with getOrLoad)')
  if (key === undefined) throw option.invalid('key', key, 'a function')
  // One frozen bag for every call: the cache checks a reused frozen bag once, not on every hit.
  const fixed: GetOrLoadOptions = Object.freeze({
    ...(ttlMs === undefined ? {} : { ttlMs }),
    ...(staleWhileRevalidateMs === undefined ? {} : { staleWhileRevalidateMs }),
    ...(tags === undefined || typeof tags === 'function' ? {} : { tags: Object.freeze([...tags]) }),
  })
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
