export {
  AbortError,
  CircuitOpenError,
  InvalidCacheValueError,
  RedisTimeoutError,
  SerializationError,
  TtlCacheError,
  type TtlCacheErrorCode,
} from '../errors.js'
export type { CacheResult, CacheStatus, TtlCacheStats } from '../ttl-cache-events.js'
export type { GetOrLoadOptions, LoadContext, Loader, SetOptions } from '../ttl-cache-options.js'
export type { CircuitState } from './circuit-breaker.js'
export { RedisTtlCache } from './redis-ttl-cache.js'
export type { RedisTierStats, RedisTtlCacheEvents } from './redis-ttl-cache-events.js'
export type { RedisTtlCacheOptions } from './redis-ttl-cache-options.js'
export { jsonSerializer, type Serializer } from './serializer.js'
