import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { ConcurrencyLimit } from '../internal/admission/concurrency-limit.js'
import { pluginOptions } from '../internal/fastify-plugin-options.js'
import type { ConcurrencyLimitOptions } from '../types.js'

/**
 * An `onRequest` hook that admits requests through a `CapacityLimiter`, for one route. Same
 * behaviour as the {@link concurrencyLimit} plugin.
 *
 * @example app.get('/report', { onRequest: concurrencyLimitHook({ limiter }) }, handler)
 */
export function concurrencyLimitHook(options: ConcurrencyLimitOptions): onRequestHookHandler {
  const limit = new ConcurrencyLimit(options)
  const { status, headers, body } = limit.refusal
  return (_request, reply, done) => {
    const admitted = limit.admitResponse(reply.raw)
    if (admitted === 'admitted') return done()
    if (admitted === 'refused') {
      reply.code(status).headers(headers).send(body)
      return
    }
    admitted.then((outcome) => {
      if (outcome === 'admitted') done()
      else if (outcome === 'refused') reply.code(status).headers(headers).send(body)
    }, done)
  }
}

const plugin: FastifyPluginAsync<ConcurrencyLimitOptions> = async (instance, options) => {
  instance.addHook('onRequest', concurrencyLimitHook(pluginOptions(options)))
}

/**
 * Admits requests through a `CapacityLimiter`: a request holds a token until its response is over;
 * it gets 503 with `Retry-After` when the limiter's queue is full, when it waited `timeoutMs`
 * (default 5 s), or at once when the queue's expected wait is past `maxExpectedWaitMs`; a client
 * that disconnects while waiting leaves the queue without a token ever being taken. Applies to the context it is
 * registered in; use {@link concurrencyLimitHook} for a single route.
 *
 * @example
 * await app.register(concurrencyLimit, { limiter: new CapacityLimiter({ totalTokens: 40, maxWaiting: 200 }) })
 */
export const concurrencyLimit = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@loopwork/adapters/concurrency-limit',
})
