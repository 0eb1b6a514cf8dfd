/**
 * The loopwork primitives as Express 5 middleware: request metrics and `/metrics`, background
 * tasks after the response, a concurrency limit, offloaded handlers, a response cache, load
 * shedding, graceful shutdown, streamed responses and the live status page. Imports nothing from
 * Fastify or Hono.
 *
 * @module @loopwork/adapters/express
 */
export * from '../internal/framework-entry.js'
export { backgroundTasks } from './background-tasks.js'
export { concurrencyLimit } from './concurrency-limit.js'
export { loadShedding } from './load-shedding.js'
export { metricsHandler } from './metrics-handler.js'
export { offload } from './offload.js'
export { requestMetrics } from './request-metrics.js'
export { responseCache } from './response-cache.js'
export { shutdown } from './shutdown.js'
export { statusPage } from './status-page.js'
export { streamIterable } from './stream-iterable.js'
export type { BackgroundTasksMiddleware, ExpressStatusPageOptions } from './types.js'
