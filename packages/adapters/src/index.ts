export type { BackgroundTasksMiddlewareOptions } from './after-response-tasks.js'
export { type CacheDirectives, parseCacheControl } from './cache-control.js'
export { baseCacheKey, parseVary, responseCacheTag, variantCacheKey } from './cache-key.js'
export {
  type CachedResponse,
  type CapturedResponse,
  cachedResponseSize,
  type StoredResponse,
  type VaryMarker,
} from './cached-response.js'
export type { ConcurrencyLimitOptions } from './concurrency-limit-options.js'
export type { ResourceReport, ShutdownResource } from './drain-resources.js'
export {
  AdaptersError,
  type AdaptersErrorCode,
  StreamChunkError,
  UncacheableResponseError,
} from './errors.js'
export { DEFAULT_EXEMPT_PATHS, type LoadSheddingOptions } from './load-shedding.js'
export type { OffloadOptions } from './offload-call.js'
export type { RequestMetricsOptions } from './request-metrics-options.js'
export { DEFAULT_MAX_BODY_BYTES, type ResponseCacheOptions } from './response-cache-options.js'
export { CLIENT_CLOSED_REQUEST } from './response-completion.js'
export { shutdown } from './server-shutdown.js'
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  type RefusalReason,
  type ServiceUnavailable,
} from './service-unavailable.js'
export {
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type ShutdownOptions,
  type ShutdownReport,
} from './shutdown-options.js'
export type {
  ChunkIterable,
  StreamChunk,
  StreamOptions,
  StreamOutcome,
  StreamSource,
} from './stream-source.js'
