export type { CachedOptions, LoadingCache } from './cached.js'
export { cached } from './cached.js'
export {
  AbortError,
  CircuitOpenError,
  InvalidCacheValueError,
  RedisTimeoutError,
  SerializationError,
  TtlCacheError,
  type TtlCacheErrorCode,
} from './errors.js'
export { DEFAULT_SWEEP_INTERVAL_MS, TtlCache } from './ttl-cache.js'
export type {
  CacheResult,
  CacheStatus,
  EvictionReason,
  TtlCacheEvents,
  TtlCacheStats,
} from './ttl-cache-events.js'
export type {
  GetOrLoadOptions,
  LoadContext,
  Loader,
  SetOptions,
  TtlCacheOptions,
} from './ttl-cache-options.js'
