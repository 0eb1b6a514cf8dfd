export { cached } from './cached.js'
export {
  AbortError,
  CircuitOpenError,
  InvalidCacheValueError,
  isLoopworkError,
  LoopworkError,
  SerializationError,
  TimeoutError,
} from './errors.js'
export { DEFAULT_SWEEP_INTERVAL_MS, TtlCache } from './ttl-cache.js'
export type {
  CachedOptions,
  CacheEvictEvent,
  CacheKeyEvent,
  CacheLoadErrorEvent,
  CacheResult,
  CacheStatus,
  EvictionReason,
  GetOrLoadOptions,
  LoadContext,
  Loader,
  LoadingCache,
  SetOptions,
  TtlCacheEvents,
  TtlCacheOptions,
  TtlCacheStats,
} from './types.js'
