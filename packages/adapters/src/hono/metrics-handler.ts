import type { Metrics } from '@loopwork/metrics'
import type { Handler } from 'hono'
import { renderableMetrics } from '../internal/request-metrics.js'

/**
 * The `/metrics` handler: Prometheus text exposition of everything in the registry (request
 * metrics and every primitive given to `metrics.track()`).
 *
 * @example app.get('/metrics', metricsHandler(metrics))
 */
export function metricsHandler(metrics: Metrics): Handler {
  renderableMetrics(metrics)
  return async (context) =>
    context.body(await metrics.render(), 200, { 'content-type': metrics.contentType })
}
