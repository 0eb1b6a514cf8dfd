// What each framework entry (`/express`, `/fastify`, `/hono`) exports besides its own middleware:
// the error base, the error log, the size of a cached response, and the option and report types
// that the middleware of every framework take. Each entry re-exports this module whole, so the
// three stay alike; the package's root entry exports all of these and more.
export { isLoopworkError, LoopworkError } from '../errors.js'
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
  type OffloadedHandlerFactory,
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
export { createErrorLog } from './error-log.js'
export { cachedResponseSize } from './response-cache/cached-response.js'
