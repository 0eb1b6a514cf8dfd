import type { Metrics } from '@loopwork/metrics'
import type { FastifyPluginAsync, RouteHandlerMethod } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import {
  assertRenderable,
  type RequestMetricsOptions,
  resolveRequestMetrics,
} from '../request-metrics-options.js'
import { completedStatus, whenResponseClosed } from '../response-completion.js'

const plugin: FastifyPluginAsync<RequestMetricsOptions> = async (instance, options) => {
  const metrics = resolveRequestMetrics(options)
  instance.addHook('onRequest', (request, reply, done) => {
    // The getter builds a new object on every access: read it once. Undefined for 404s.
    const route = request.is404 ? undefined : request.routeOptions.url
    const method = request.method
    const end = metrics.startRequest({ method, route })
    // The raw response's `close` rather than onResponse, which never runs for a client that left.
    whenResponseClosed(reply.raw, () => end({ method, route, status: completedStatus(reply.raw) }))
    done()
  })
}

/**
 * Records every request once its response is over: duration by method, matched route template
 * (`request.routeOptions.url`, with plugin prefixes) and status, and the in-flight gauge. 404s get
 * the metrics package's fixed label; requests whose client went away are recorded with status 499.
 *
 * @example
 * const metrics = createMetrics()
 * await app.register(requestMetrics, { metrics })
 * app.get('/metrics', metricsHandler(metrics))
 */
export const requestMetrics = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@loopwork/adapters/request-metrics',
})

/**
 * The `/metrics` route handler: Prometheus text exposition of everything in the registry.
 *
 * @example app.get('/metrics', metricsHandler(metrics))
 */
export function metricsHandler(metrics: Metrics): RouteHandlerMethod {
  assertRenderable(metrics)
  return async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render())
}
