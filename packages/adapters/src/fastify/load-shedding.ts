import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { LoadShedder, pathOfUrl } from '../internal/admission/load-shedder.js'
import { pluginOptions } from '../internal/fastify-plugin-options.js'
import type { LoadSheddingOptions } from '../types.js'

const plugin: FastifyPluginAsync<LoadSheddingOptions> = async (instance, options) => {
  const shedder = new LoadShedder(pluginOptions(options))
  instance.addHook('onRequest', (request, reply, done) => {
    const refusal = shedder.refusalFor(request, pathOfRequest)
    if (refusal === undefined) return done()
    reply.code(refusal.status).headers(refusal.headers).send(refusal.body)
  })
}

function pathOfRequest(request: FastifyRequest): string {
  return pathOfUrl(request.url)
}

/**
 * While the overload guard reports overload, answers 503 with `Retry-After` in `onRequest`, before
 * any parsing or handler; `/metrics` and `/health` (or your `exempt` paths) stay served.
 *
 * @example
 * await app.register(loadShedding, { guard: createOverloadGuard({ maxEventLoopDelayMs: 200 }) })
 */
export const loadShedding = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@loopwork/adapters/load-shedding',
})
