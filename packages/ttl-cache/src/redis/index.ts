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
  EvictionReason,
  GetOrLoadOptions,
  LoadContext,
  Loader,
  SetOptions,
  TtlCacheStats,
} from '../types.js'
export { RedisTtlCache } from './redis-ttl-cache.js'
export type {
  CircuitEvent,
  CircuitState,
  RedisErrorEvent,
  RedisTierStats,
  RedisTtlCacheEvents,
  RedisTtlCacheOptions,
  Serializer,
} from './types.js'
