/**
 * The loopwork primitives as Fastify 5 plugins and hooks: request metrics and `/metrics`,
 * background tasks after the response, a concurrency limit, offloaded handlers, a response cache,
 * load shedding, graceful shutdown on `app.close()`, streamed responses and the live status page.
 * Imports nothing from Express or Hono.
 *
 * @module @loopwork/adapters/fastify
 */
export * from '../internal/framework-entry.js'
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
