export { CapacityLimiter, DEFAULT_MAX_WAITING, DEFAULT_TOTAL_TOKENS } from './capacity-limiter.js'
export {
  AbortError,
  BorrowerAlreadyHoldsTokenError,
  BorrowerNotHoldingTokenError,
  isLoopworkError,
  LoopworkError,
  QueueFullError,
  TimeoutError,
} from './errors.js'
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
