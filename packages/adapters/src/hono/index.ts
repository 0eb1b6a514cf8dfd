export type { BackgroundTasksMiddlewareOptions } from '../after-response-tasks.js'
export type { CachedResponse, StoredResponse, VaryMarker } from '../cached-response.js'
export { cachedResponseSize } from '../cached-response.js'
export type { ConcurrencyLimitOptions } from '../concurrency-limit-options.js'
export type { ResourceReport, ShutdownResource } from '../drain-resources.js'
export { DEFAULT_EXEMPT_PATHS, type LoadSheddingOptions } from '../load-shedding.js'
export type { OffloadOptions } from '../offload-call.js'
export type { RequestMetricsOptions } from '../request-metrics-options.js'
export { DEFAULT_MAX_BODY_BYTES, type ResponseCacheOptions } from '../response-cache-options.js'
export { shutdown } from '../server-shutdown.js'
export type { ShutdownOptions, ShutdownReport } from '../shutdown-options.js'
export type { StreamOptions, StreamOutcome, StreamSource } from '../stream-source.js'
export {
  type BackgroundTasksEnv,
  type BackgroundTasksMiddleware,
  backgroundTasks,
} from './background-tasks.js'
export { concurrencyLimit } from './concurrency-limit.js'
export { loadShedding } from './load-shedding.js'
export type { NodeResponseBindings } from './node-bindings.js'
export { offload } from './offload.js'
export { metricsHandler, requestMetrics } from './request-metrics.js'
export { responseCache } from './response-cache.js'
export { streamIterable } from './stream-iterable.js'
