import type { EndRequest, Metrics } from '@loopwork/metrics'
import type { Context, Handler, MiddlewareHandler, Next } from 'hono'
import { matchedRoutes } from 'hono/route'
import {
  assertRenderable,
  type RequestMetricsOptions,
  resolveRequestMetrics,
} from '../request-metrics-options.js'
import { completedStatus, whenResponseClosed } from '../response-completion.js'
import { nodeResponseOf } from './node-bindings.js'

/**
 * Records every request: duration by method, matched route template (`routePath(c)` after the
 * handler ran, never the raw path) and status, and the in-flight gauge. On Node the request counts
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
  const metrics = resolveRequestMetrics(options)
  // Not an async function: on Node it hands back next()'s own promise, sparing a promise per request.
  return (context, next) => {
    const end = metrics.startRequest()
    const outgoing = nodeResponseOf(context)
    if (outgoing === undefined) return recordAfterHandler(context, next, end)
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
}

/** Off Node the request ends when the handler returned its response. */
async function recordAfterHandler(context: Context, next: Next, end: EndRequest): Promise<void> {
  try {
    await next()
  } finally {
    end({ method: context.req.method, route: handlerRouteOf(context), status: context.res.status })
  }
}

/**
 * The template of the route whose handler answered, or `undefined` when only middleware matched
 * (Hono's not-found). After `next()` the router leaves `routeIndex` on the last route it
 * dispatched; a middleware there (registered with `use`, taking `next`) means no handler matched.
 */
function handlerRouteOf(context: Context): string | undefined {
  const route = matchedRoutes(context)[context.req.routeIndex]
  if (route === undefined) return undefined
  const isMiddleware = route.method === 'ALL' && route.handler.length >= 2
  return isMiddleware ? undefined : route.path
}

/**
 * The `/metrics` handler: Prometheus text exposition of everything in the registry.
 *
 * @example app.get('/metrics', metricsHandler(metrics))
 */
export function metricsHandler(metrics: Metrics): Handler {
  assertRenderable(metrics)
  return async (context) =>
    context.body(await metrics.render(), 200, { 'content-type': metrics.contentType })
}
