import type { Metrics } from '@loopwork/metrics'
import type { RequestHandler } from 'express'
import { renderableMetrics } from '../internal/request-metrics.js'

/**
 * The `/metrics` route: Prometheus text exposition of everything in the registry (request metrics
 * and every primitive given to `metrics.track()`).
 *
 * @example app.get('/metrics', metricsHandler(metrics))
 */
export function metricsHandler(metrics: Metrics): RequestHandler {
  renderableMetrics(metrics)
  return (_request, response, next) => {
    metrics.render().then((text) => {
      response.setHeader('content-type', metrics.contentType)
      response.end(text)
    }, next)
  }
}
