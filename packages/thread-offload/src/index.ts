export { currentDefaultThreadLimiter, DEFAULT_THREAD_TOKENS } from './default-limiter.js'
export {
  AbortError,
  PoolClosedError,
  PoolQueueFullError,
  TaskTimeoutError,
  ThreadOffloadError,
  type ThreadOffloadErrorCode,
  UnknownTaskError,
  WorkerCrashedError,
  WorkerStartupError,
} from './errors.js'
export type { RunOptions } from './run-options.js'
export type { DurationSummary } from './sample-window.js'
export type {
  AnyTaskModule,
  TaskArgs,
  TaskFunction,
  TaskModule,
  TaskName,
  TaskResult,
} from './task-types.js'
export { closeDefaultPools, defaultPool, toThread } from './to-thread.js'
export { WorkerPool } from './worker-pool.js'
export type {
  TaskEndEvent,
  TaskErrorEvent,
  TaskStartEvent,
  ThreadExitEvent,
  ThreadExitReason,
  ThreadSpawnEvent,
  WorkerPoolEvents,
} from './worker-pool-events.js'
export {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_QUEUE,
  type WorkerPoolOptions,
} from './worker-pool-options.js'
export type { WorkerPoolStatistics } from './worker-pool-statistics.js'
