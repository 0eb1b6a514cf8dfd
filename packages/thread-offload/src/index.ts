export { currentDefaultThreadLimiter, DEFAULT_THREAD_TOKENS } from './default-limiter.js'
export * from './errors.js'
export { closeDefaultPools, defaultPool, toThread } from './to-thread.js'
export {
  type AnyTaskModule,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_WAITING,
  type DurationSummary,
  type RunOptions,
  type TaskArgs,
  type TaskEndEvent,
  type TaskErrorEvent,
  type TaskFunction,
  type TaskModule,
  type TaskName,
  type TaskResult,
  type TaskStartEvent,
  type ThreadExitEvent,
  type ThreadExitReason,
  type ThreadLimiter,
  type ThreadLimiterLease,
  type ThreadSpawnEvent,
  type WorkerPoolEvents,
  type WorkerPoolOptions,
  type WorkerPoolStats,
} from './types.js'
export { WorkerPool } from './worker-pool.js'
