import * as option from '@loopwork/internal/options'
import type { LRUCache } from 'lru-cache'
import type { TtlCacheOptions } from '../types.js'
import type { CacheEntry } from './cache-entry.js'

/**
 * The lru-cache options that bound the cache: `max` and/or `maxSize` + `sizeCalculation` (each
 * already checked on its own), with errors that say what to pass when they do not fit together.
 * lru-cache's own TTL machinery is deliberately left off (no `ttl`, `ttlAutopurge` or
 * `updateAgeOnGet`): entries carry their own deadlines, read against a coarse clock.
 */
export function capacityBounds<K extends {}, V>(
  options: TtlCacheOptions<K, V>,
): LRUCache.Options<K, CacheEntry<V>, unknown> {
  const { max, maxSize, sizeCalculation: measure } = options
  if (max === undefined && maxSize === undefined) {
    throw option.error(
      'max',
      'TtlCache needs a memory bound: give max (a positive integer) and/or maxSize with sizeCalculation',
    )
  }
  if (maxSize === undefined) {
    if (measure !== undefined) {
      throw option.error(
        'sizeCalculation',
        'sizeCalculation is only used with maxSize; give maxSize too',
      )
    }
    return { max: max! }
  }
  if (measure === undefined) {
    throw option.error('sizeCalculation', 'sizeCalculation must be a function when maxSize is set')
  }
  return {
    ...(max === undefined ? {} : { max }),
    maxSize,
    // A remembered failure has no value to measure; it costs one unit.
    sizeCalculation: (entry, key) => (entry.failed ? 1 : measure(entry.value, key)),
  }
}
