import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { type CacheableRequest, type CacheLead, ResponseCache } from '../response-cache.js'
import type { ResponseCacheOptions } from '../response-cache-options.js'
import { whenResponseClosed } from '../response-completion.js'

const plugin: FastifyPluginAsync<ResponseCacheOptions> = async (instance, options) => {
  const cache = new ResponseCache(options)
  const leads = new WeakMap<FastifyRequest, CacheLead>()
  instance.addHook('onRequest', async (request, reply) => {
    const lookup = await cache.lookup(cacheableRequest(request, reply))
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
      body: bodyOf(payload, cache.maxBodyBytes),
    })
    return payload
  })
}

/** The payload's bytes, or `undefined` for a stream or a body over the limit. */
function bodyOf(payload: unknown, maxBodyBytes: number): Uint8Array | undefined {
  const bytes =
    typeof payload === 'string'
      ? Buffer.from(payload)
      : payload instanceof Uint8Array
        ? payload
        : payload === null || payload === undefined
          ? new Uint8Array(0)
          : undefined
  return bytes !== undefined && bytes.byteLength <= maxBodyBytes ? bytes : undefined
}

function cacheableRequest(request: FastifyRequest, reply: FastifyReply): CacheableRequest {
  const controller = new AbortController()
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort()
  })
  return {
    method: request.method,
    url: request.url,
    header: (name) => {
      const value = request.headers[name]
      return Array.isArray(value) ? value.join(', ') : value
    },
    signal: controller.signal,
  }
}

/**
 * Caches GET responses (HEAD is answered from them) in a TtlCache with single flight: concurrent
 * misses run the handler once; keyed by method, path, sorted query and the request headers named in
 * `Vary`; only 200s without `no-store`/`private`/`Set-Cookie` are stored; every answer carries
 * `X-Cache: HIT | MISS | STALE`. Served from `onRequest`, so a hit skips parsing, validation and
 * the handler.
 *
 * @example
 * const cache = new TtlCache<string, CachedResponse>({ max: 1_000, ttlMs: 30_000 })
 * await app.register(responseCache, { cache })
 */
export const responseCache = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@loopwork/adapters/response-cache',
})
