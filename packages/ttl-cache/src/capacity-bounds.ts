import type { LRUCache } from 'lru-cache'
import type { CacheEntry } from './cache-entry.js'
import { assertOptionalPositiveInteger } from './option-validation.js'
import type { TtlCacheOptions } from './ttl-cache-options.js'

/**
 * The lru-cache options that bound the cache: `max` and/or `maxSize` + `sizeCalculation`, validated
 * with errors that say what to pass. lru-cache's own TTL machinery is deliberately left off (no `ttl`,
 * `ttlAutopurge` or `updateAgeOnGet`): entries carry their own deadlines, read against a coarse clock.
 */
export function capacityBounds<K extends {}, V>(
  options: TtlCacheOptions<K, V>,
): LRUCache.Options<K, CacheEntry<V>, unknown> {
  if (typeof options.max === 'number' && !(options.max >= 1)) {
    const hint = options.maxSize === undefined ? ' (or give maxSize with sizeCalculation)' : ''
    throw Object.assign(
      new RangeError(`max must be a positive integer${hint}, got ${String(options.max)}`),
      { code: 'ERR_OUT_OF_RANGE' },
    )
  }
  const max = assertOptionalPositiveInteger('max', options.max)
  const maxSize = assertOptionalPositiveInteger('maxSize', options.maxSize)
  if (max === undefined && maxSize === undefined) {
    throw Object.assign(
      new TypeError(
        'TtlCache needs a memory bound: give max (a positive integer) and/or maxSize with sizeCalculation',
      ),
      { code: 'ERR_MISSING_OPTION' },
    )
  }
  const measure = options.sizeCalculation
  if (maxSize === undefined) {
    if (measure !== undefined) {
      throw new TypeError('sizeCalculation is only used with maxSize; give maxSize too')
    }
    return { max: max! }
  }
  if (typeof measure !== 'function') {
    throw Object.assign(
      new TypeError(
        `sizeCalculation must be a function when maxSize is set, got ${String(measure)}`,
      ),
      { code: 'ERR_INVALID_ARG_TYPE' },
    )
  }
  return {
    ...(max === undefined ? {} : { max }),
    maxSize,
    // A remembered failure has no value to measure; it costs one unit.
    sizeCalculation: (entry, key) => (entry.failed ? 1 : measure(entry.value, key)),
  }
}
