/**
 * What the three framework adapters share, for code that does not depend on a framework: the
 * option and report types, `shutdown()` for any `node:http` server, the response cache's key and
 * `Cache-Control` helpers, and the errors. Middleware comes from `/express`, `/fastify` or `/hono`.
 *
 * @module @loopwork/adapters
 */
export * from './errors.js'
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
export * from './types.js'
