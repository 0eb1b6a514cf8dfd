/**
 * `CapacityLimiter`: at most `totalTokens` calls run at once, the others wait in FIFO order up to
 * `maxWaiting`, and each wait can be aborted or time out. Use it in front of anything with a fixed
 * capacity: a database pool, a partner API that allows so many calls at once, CPU-heavy work.
 *
 * @module @loopwork/limiter
 */
export { CapacityLimiter, DEFAULT_MAX_WAITING, DEFAULT_TOTAL_TOKENS } from './capacity-limiter.js'
export * from './errors.js'
export { Lease } from './lease.js'
export type {
  AcquireOptions,
  CapacityLimiterEvent,
  CapacityLimiterEvents,
  CapacityLimiterOptions,
  CapacityLimiterRejectEvent,
  CapacityLimiterRejectReason,
  CapacityLimiterStats,
} from './types.js'
