import { TtlCache, type TtlCacheOptions } from '../src/index.js'

/**
 * A cache of strings for tests on the fake clock: entries turn stale after `ttlMs` and are served
 * stale for `staleWhileRevalidateMs` more, with no sweep, so only reads and the clock move them on.
 */
export function revalidatingCache(
  options: Pick<TtlCacheOptions<string, string>, 'ttlMs' | 'staleWhileRevalidateMs'> &
    Partial<TtlCacheOptions<string, string>>,
): TtlCache<string, string> {
  return new TtlCache<string, string>({ max: 10, sweepIntervalMs: 0, ...options })
}
