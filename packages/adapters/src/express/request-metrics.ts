import type { Request, RequestHandler } from 'express'
import { requestMetricsOf } from '../internal/request-metrics.js'
import { completedStatus, whenResponseClosed } from '../internal/response-close.js'
import type { RequestMetricsOptions } from '../types.js'

/**
 * Records every request once its response is over: duration by method, matched route template
 * (`request.baseUrl + request.route.path`, never the raw path) and status, and the in-flight gauge.
 * Requests that matched no route get the metrics package's fixed label; requests whose client
 * went away are recorded with status 499. Register it before the routes.
 *
 * @example
 * const metrics = createMetrics()
 * app.use(requestMetrics({ metrics }))
 * app.get('/metrics', metricsHandler(metrics))
 */
export function requestMetrics(options: RequestMetricsOptions): RequestHandler {
  const metrics = requestMetricsOf(options)
  return (request, response, next) => {
    const end = metrics.startRequest()
    whenResponseClosed(response, () =>
      end({ method: request.method, route: routeOf(request), status: completedStatus(response) }),
    )
    next()
  }
}

/**
 * The matched route template. Express keeps `request.route` and the mount path in `baseUrl` once
 * the route handled the request; a route given as a pattern other than a string is labelled by
 * its source text.
 */
function routeOf(request: Request): string | undefined {
  const route = request.route as { path?: unknown } | undefined
  if (route === undefined) return undefined
  return request.baseUrl + String(route.path)
}
