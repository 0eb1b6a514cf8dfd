export {
  AbortError,
  CircuitOpenError,
  InvalidCacheValueError,
  isLoopworkError,
  LoopworkError,
  SerializationError,
  TimeoutError,
} from '../errors.js'
export { jsonSerializer } from '../internal/redis/json-serializer.js'
export type {
  CacheEvictEvent,
  CacheKeyEvent,
  CacheLoadErrorEvent,
  CacheResult,
  CacheStatus,
  CircuitEvent,
  CircuitState,
  EvictionReason,
  GetOrLoadOptions,
  LoadContext,
  Loader,
  RedisErrorEvent,
  RedisTierStats,
  RedisTtlCacheEvents,
  RedisTtlCacheOptions,
  Serializer,
  SetOptions,
  TtlCacheStats,
} from '../types.js'
export { RedisTtlCache } from './redis-ttl-cache.js'
