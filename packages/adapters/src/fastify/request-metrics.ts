import type { FastifyPluginAsync } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { pluginOptions } from '../internal/fastify-plugin-options.js'
import { requestMetricsOf } from '../internal/request-metrics.js'
import { completedStatus, whenResponseClosed } from '../internal/response-close.js'
import type { RequestMetricsOptions } from '../types.js'

const plugin: FastifyPluginAsync<RequestMetricsOptions> = async (instance, options) => {
  const metrics = requestMetricsOf(pluginOptions(options))
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
