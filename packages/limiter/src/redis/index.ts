/**
 * `RedisCapacityLimiter`: one limit shared by every process that uses the same Redis key, with
 * leases renewed while held, a fencing token per lease and a choice of what to do while Redis is
 * unreachable. Use it when the capacity you protect is shared by several instances of a service.
 * Needs `ioredis`.
 *
 * @module @loopwork/limiter/redis
 */
export * from './errors.js'
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LEASE_MS,
  DEFAULT_REDIS_MAX_WAITING,
  DEFAULT_REDIS_TOTAL_TOKENS,
} from './internal/redis-settings.js'
export { RedisCapacityLimiter } from './redis-capacity-limiter.js'
export { RedisLease } from './redis-lease.js'
export type {
  OutageMode,
  RedisAcquireOptions,
  RedisCapacityLimiterEvents,
  RedisCapacityLimiterOptions,
  RedisCapacityLimiterRejectReason,
  RedisCapacityLimiterStats,
  RedisLeaseEvent,
  RedisLeaseLostEvent,
  RedisOutageEvent,
  RedisRecoverEvent,
  RedisRejectEvent,
  RedisWaitEvent,
} from './types.js'
