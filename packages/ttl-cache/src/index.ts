/**
 * `TtlCache` and `cached()`: values kept for a time to live in a bounded in-memory cache, with one
 * load per key however many callers miss at once, stale-while-revalidate, negative caching and
 * tags. Use it for data that many requests read and that may be a little old.
 *
 * @module @loopwork/ttl-cache
 */
export { cached } from './cached.js'
export * from './errors.js'
export { DEFAULT_SWEEP_INTERVAL_MS, TtlCache } from './ttl-cache.js'
export type * from './types.js'
