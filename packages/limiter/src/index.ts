export { CapacityLimiter, DEFAULT_MAX_WAITING, DEFAULT_TOTAL_TOKENS } from './capacity-limiter.js'
export type {
  CapacityLimiterEvents,
  CapacityLimiterStatistics,
  LimiterRejectReason,
} from './capacity-limiter-events.js'
export type { AcquireOptions, CapacityLimiterOptions } from './capacity-limiter-options.js'
export {
  AbortError,
  BorrowerAlreadyHoldsTokenError,
  BorrowerNotHoldingTokenError,
  LimiterError,
  type LimiterErrorCode,
  LimiterQueueFullError,
  LimiterTimeoutError,
} from './errors.js'
export { Lease } from './lease.js'
