/**
 * `RedisTtlCache`: a `TtlCache` in memory in front of Redis, for several instances of a service.
 * Values are shared, a key is loaded once across the instances, invalidations reach every
 * instance over pub/sub, and the memory tier keeps serving while Redis is down. Needs `ioredis`.
 *
 * @module @loopwork/ttl-cache/redis
 */
export * from '../errors.js'
export { jsonSerializer } from '../internal/redis/json-serializer.js'
export type * from '../types.js'
export { RedisTtlCache } from './redis-ttl-cache.js'
export type * from './types.js'
