/**
 * The loopwork primitives as Fastify 5 plugins and hooks: request metrics and `/metrics`,
 * background tasks after the response, a concurrency limit, offloaded handlers, a response cache,
 * load shedding, graceful shutdown on `app.close()`, streamed responses and the live status page.
 * Imports nothing from Express or Hono.
 *
 * @module @loopwork/adapters/fastify
 */
export { isLoopworkError, LoopworkError } from '../errors.js'
export { createErrorLog } from '../internal/error-log.js'
export { cachedResponseSize } from '../internal/response-cache/cached-response.js'
export {
  type BackgroundTasksMiddlewareOptions,
  type CachedResponse,
  type ConcurrencyLimitOptions,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_ERROR_LOG_WINDOW_MS,
  DEFAULT_EXEMPT_PATHS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_WAIT_TIMEOUT_MS,
  type ErrorLog,
  type ErrorLogOptions,
  type LoadSheddingOptions,
  type MapArgs,
  type OffloadOptions,
  type RequestMetricsOptions,
  type ResourceReport,
  type ResponseCacheOptions,
  type ShutdownOptions,
  type ShutdownReport,
  type ShutdownResource,
  type StoredResponse,
  type StreamOptions,
  type StreamOutcome,
  type StreamSource,
  type VaryMarker,
} from '../types.js'
export { backgroundTasks } from './background-tasks.js'
export { concurrencyLimit, concurrencyLimitHook } from './concurrency-limit.js'
export { loadShedding } from './load-shedding.js'
export { metricsHandler } from './metrics-handler.js'
export { offload } from './offload.js'
export { requestMetrics } from './request-metrics.js'
export { responseCache } from './response-cache.js'
export { shutdown } from './shutdown.js'
export { statusPage } from './status-page.js'
export { streamIterable } from './stream-iterable.js'
export type { FastifyShutdownOptions, FastifyStatusPageOptions } from './types.js'
