/**
 * What the three framework adapters share, for code that does not depend on a framework: the
 * option and report types, `shutdown()` for any `node:http` server, the response cache's key and
 * `Cache-Control` helpers, and the errors. Middleware comes from `/express`, `/fastify` or `/hono`.
 *
 * @module @loopwork/adapters
 */
export {
  isLoopworkError,
  LoopworkError,
  StreamChunkError,
  UncacheableResponseError,
} from './errors.js'
export { createErrorLog } from './internal/error-log.js'
export { parseCacheControl } from './internal/response-cache/cache-control.js'
export {
  baseCacheKey,
  parseVary,
  responseCacheTag,
  variantCacheKey,
} from './internal/response-cache/cache-key.js'
export { cachedResponseSize } from './internal/response-cache/cached-response.js'
export { shutdownServer as shutdown } from './internal/shutdown/server-shutdown.js'
export {
  type AdmissionLease,
  type AdmissionLimiter,
  type BackgroundTasksMiddlewareOptions,
  type CacheDirectives,
  type CachedResponse,
  type CapturedResponse,
  type ChunkIterable,
  CLIENT_CLOSED_REQUEST,
  type ConcurrencyLimitOptions,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_ERROR_LOG_WINDOW_MS,
  DEFAULT_EXEMPT_PATHS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_RETRY_AFTER_SECONDS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  type ErrorLog,
  type ErrorLogOptions,
  type LoadSheddingOptions,
  type MapArgs,
  type OffloadOptions,
  type RefusalReason,
  type RequestMetricsOptions,
  type ResourceReport,
  type ResponseCacheOptions,
  type ServiceUnavailable,
  type ShutdownOptions,
  type ShutdownReport,
  type ShutdownResource,
  type StoredResponse,
  type StreamChunk,
  type StreamOptions,
  type StreamOutcome,
  type StreamSource,
  type VaryMarker,
} from './types.js'
