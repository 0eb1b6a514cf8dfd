import type { MiddlewareHandler } from 'hono'
import { handlerRouteOf } from '../internal/hono/matched-route.js'
import { nodeResponseOf } from '../internal/hono/node-bindings.js'
import { requestMetricsOf } from '../internal/request-metrics.js'
import { completedStatus, whenResponseClosed } from '../internal/response-close.js'
import type { RequestMetricsOptions } from '../types.js'

/**
 * Records every request: duration by method, the template of the route whose handler
 * answered (never the raw path) and status, and the in-flight gauge. On Node the request counts
 * until the Node response is over (streamed bodies included; 499 when the client went away); on
 * other runtimes until the handler returned its response. Unmatched requests get the metrics
 * package's fixed label.
 *
 * @example
 * const metrics = createMetrics()
 * app.use(requestMetrics({ metrics }))
 * app.get('/metrics', metricsHandler(metrics))
 */
export function requestMetrics(options: RequestMetricsOptions): MiddlewareHandler {
  const metrics = requestMetricsOf(options)
  // On Node it hands back next()'s own promise (the request ends on the Node response's `close`),
  // sparing a promise per request; elsewhere the request ends once the handler is done.
  return (context, next) => {
    const end = metrics.startRequest()
    const outgoing = nodeResponseOf(context)
    if (outgoing !== undefined) {
      // Listening before the handler runs: a client that leaves mid-handler ends the request then.
      whenResponseClosed(outgoing, () =>
        end({
          method: context.req.method,
          route: handlerRouteOf(context),
          status: completedStatus(outgoing),
        }),
      )
      return next()
    }
    return (async () => {
      try {
        await next()
      } finally {
        end({
          method: context.req.method,
          route: handlerRouteOf(context),
          status: context.res.status,
        })
      }
    })()
  }
}
