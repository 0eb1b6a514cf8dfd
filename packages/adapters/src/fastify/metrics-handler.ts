import type { Metrics } from '@loopwork/metrics'
import type { RouteHandlerMethod } from 'fastify'
import { renderableMetrics } from '../internal/request-metrics.js'

/**
 * The `/metrics` route handler: Prometheus text exposition of everything in the registry (request
 * metrics and every primitive given to `metrics.track()`).
 *
 * @example app.get('/metrics', metricsHandler(metrics))
 */
export function metricsHandler(metrics: Metrics): RouteHandlerMethod {
  renderableMetrics(metrics)
  return async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render())
}
