/**
 * The shapes `track()` recognises. They mirror what the loopwork primitives expose, declared here
 * structurally so this package imports none of them: anything with the same methods can be tracked.
 */

/** Anything with `on` (eventemitter3 or Node's `EventEmitter`); `off` or `removeListener` lets `untrack` detach. */
export interface EventSource {
  on(event: string, listener: (...args: any[]) => void): unknown
  off?(event: string, listener: (...args: any[]) => void): unknown
  removeListener?(event: string, listener: (...args: any[]) => void): unknown
}

/** `CapacityLimiter.statistics()`. */
export interface LimiterStatisticsShape {
  readonly totalTokens: number
  readonly borrowedTokens: number
  readonly waiting: number
  readonly maxWaiting: number
  readonly acquired: number
  readonly rejected: number
  readonly timedOut: number
  readonly aborted: number
}

/** A `CapacityLimiter` (`@loopwork/limiter`). */
export interface TrackableLimiter {
  statistics(): LimiterStatisticsShape
  readonly name?: string
}

/** `WorkerPool.stats()`; times in milliseconds. */
export interface WorkerPoolStatsShape {
  readonly threads: number
  readonly busy: number
  readonly queued: number
  readonly completed: number
  readonly failed: number
  readonly utilization: number
}

/** A `WorkerPool` (`@loopwork/thread-offload`): events `taskEnd` ({ durationMs, waitMs }), `threadSpawn`, `threadExit`. */
export interface TrackableWorkerPool extends Partial<EventSource> {
  stats(): WorkerPoolStatsShape
}

/** `TaskQueue.stats()`. */
export interface TaskQueueStatsShape {
  readonly waiting: number
  readonly active: number
  readonly completed: number
  readonly failed: number
  readonly retried: number
  readonly deadLetters: number
  readonly delayed?: number
}

/** A `TaskQueue` (`@loopwork/background-tasks`). */
export interface TrackableTaskQueue {
  stats(): TaskQueueStatsShape
}

/** `TaskSupervisor.stats()`. */
export interface TaskSupervisorStatsShape {
  readonly active: number
  readonly started: number
  readonly succeeded: number
  readonly failed: number
  readonly aborted: number
}

/** A `TaskSupervisor` (`@loopwork/background-tasks`). Its `error` event is left alone: a listener there could change how errors surface. */
export interface TrackableTaskSupervisor {
  stats(): TaskSupervisorStatsShape
}

/** `Batcher.stats()`. */
export interface BatcherStatsShape {
  readonly batches: number
  readonly keys: number
  readonly pending: number
  readonly inFlightBatches: number
}

/** A `Batcher` (`@loopwork/batcher`): event `batch` ({ size, durationMs }). */
export interface TrackableBatcher extends Partial<EventSource> {
  stats(): BatcherStatsShape
}

/** `TtlCache.stats()`. */
export interface TtlCacheStatsShape {
  readonly hits: number
  readonly misses: number
  readonly staleHits: number
  readonly loads: number
  readonly loadErrors: number
  readonly evictions: number
  readonly size: number
}

/** A `TtlCache` (`@loopwork/ttl-cache`). */
export interface TrackableTtlCache {
  stats(): TtlCacheStatsShape
}

/** `OverloadGuard.stats()` of this package. */
export interface OverloadGuardStatsShape {
  readonly overloaded: boolean
  readonly shed: number
}

/** An overload guard from `createOverloadGuard()`. */
export interface TrackableOverloadGuard {
  stats(): OverloadGuardStatsShape
  check(): unknown
}

/** Everything `track()` accepts. */
export type TrackablePrimitive =
  | TrackableLimiter
  | TrackableWorkerPool
  | TrackableTaskQueue
  | TrackableTaskSupervisor
  | TrackableBatcher
  | TrackableTtlCache
  | TrackableOverloadGuard

/** The kinds of primitive `track()` knows, as used in the `kind` label of collection errors. */
export type PrimitiveKind =
  | 'limiter'
  | 'pool'
  | 'queue'
  | 'supervisor'
  | 'batcher'
  | 'cache'
  | 'guard'
