export type {
  BlockedLoopReport,
  BlockedRequestGroup,
  BlockingDetection,
  DetectBlockingOptions,
} from './blocking-detector-options.js'
export { shareWithClusterPrimary } from './cluster-worker.js'
export { createMetrics } from './create-metrics.js'
export {
  BATCH_SIZE_BUCKETS,
  DEFAULT_EVENT_LOOP_DELAY_BUCKETS,
  DEFAULT_REQUEST_BUCKETS,
} from './default-buckets.js'
export {
  AlreadyTrackedError,
  DetectorActiveError,
  InvalidLabelValueError,
  MetricNameConflictError,
  MetricsClosedError,
  MetricsError,
  type MetricsErrorCode,
  UnrecognisedPrimitiveError,
} from './errors.js'
export { Metrics } from './metrics.js'
export type { MetricsOptions } from './metrics-options.js'
export { createOverloadGuard, OverloadGuard } from './overload-guard.js'
export type {
  LoadProbe,
  LoadSample,
  OverloadGuardOptions,
  OverloadGuardStats,
  OverloadReason,
  OverloadStatus,
} from './overload-guard-options.js'
export type {
  BatcherStatsShape,
  EventSource,
  LimiterStatisticsShape,
  OverloadGuardStatsShape,
  PrimitiveKind,
  TaskQueueStatsShape,
  TaskSupervisorStatsShape,
  TrackableBatcher,
  TrackableLimiter,
  TrackableOverloadGuard,
  TrackablePrimitive,
  TrackableTaskQueue,
  TrackableTaskSupervisor,
  TrackableTtlCache,
  TrackableWorkerPool,
  TtlCacheStatsShape,
  WorkerPoolStatsShape,
} from './primitive-shapes.js'
export type { TrackOptions, Untrack } from './primitive-tracker.js'
export {
  type EndRequest,
  OTHER_METHOD,
  OVERFLOW_ROUTE,
  type RequestLabels,
  type RequestStartLabels,
  UNMATCHED_ROUTE,
} from './request-labels.js'
