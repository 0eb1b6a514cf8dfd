import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { pluginOptions } from '../internal/fastify-plugin-options.js'
import type { CacheLead } from '../internal/response-cache/cache-lead.js'
import {
  cacheableNodeRequest,
  payloadBytes,
} from '../internal/response-cache/node-response-capture.js'
import { ResponseCache } from '../internal/response-cache/response-cache.js'
import { whenResponseClosed } from '../internal/response-close.js'
import type { ResponseCacheOptions } from '../types.js'

const plugin: FastifyPluginAsync<ResponseCacheOptions> = async (instance, options) => {
  const cache = new ResponseCache(pluginOptions(options))
  const leads = new WeakMap<FastifyRequest, CacheLead>()
  instance.addHook('onRequest', async (request, reply) => {
    const lookup = await cache.lookup(
      cacheableNodeRequest(request.method, request.url, request.headers, reply.raw),
    )
    if (lookup.action === 'gone') {
      // The client left while another request loaded this entry: nothing to answer, no handler to run.
      reply.hijack()
      return reply
    }
    if (lookup.action === 'serve') {
      const { response, xCache } = lookup
      return reply
        .code(response.status)
        .headers({ ...response.headers, 'x-cache': xCache })
        .send(Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength))
    }
    if (lookup.action === 'lead') {
      leads.set(request, lookup.lead)
      reply.header('x-cache', 'MISS')
      whenResponseClosed(reply.raw, () => lookup.lead.abandon())
    }
  })
  // onSend sees the serialized payload: the body exactly as it will be sent.
  instance.addHook('onSend', async (request, reply, payload) => {
    const lead = leads.get(request)
    if (lead === undefined) return payload
    leads.delete(request)
    lead.finish({
      status: reply.statusCode,
      headers: reply.getHeaders(),
      body: payloadBytes(payload, cache.maxBodyBytes),
    })
    return payload
  })
}

/**
 * Caches GET responses (HEAD is answered from them) in a TtlCache with single flight: concurrent
 * misses run the handler once; keyed by method, path, sorted query and the request headers named in
 * `Vary`; only 200s without `no-store`/`private`/`Set-Cookie` are stored; every answer carries
 * `X-Cache: HIT | MISS | STALE`. Served from `onRequest`, so a hit skips parsing, validation and
 * the handler.
 *
 * @example
 * const cache = new TtlCache<string, CachedResponse>({ name: 'responses', max: 1_000, ttlMs: 30_000 })
 * await app.register(responseCache, { cache })
 */
export const responseCache = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@loopwork/adapters/response-cache',
})
