import type { Context, MiddlewareHandler } from 'hono'
import { clientGoneResponse } from '../internal/hono/node-bindings.js'
import { type CacheableRequest, ResponseCache } from '../internal/response-cache/response-cache.js'
import {
  captureWebResponse,
  storedWebResponse,
} from '../internal/response-cache/web-response-capture.js'
import type { ResponseCacheOptions } from '../types.js'

/**
 * Caches GET responses (HEAD is answered from them) in a TtlCache with single flight: concurrent
 * misses run the handler once; keyed by method, path, sorted query and the request headers named in
 * `Vary`; only 200s without `no-store`/`private`/`Set-Cookie` are stored; every answer carries
 * `X-Cache: HIT | MISS | STALE`. A miss's body is read whole to be stored, so keep event streams
 * out of it.
 *
 * @example
 * const cache = new TtlCache<string, CachedResponse>({ name: 'responses', max: 1_000, ttlMs: 30_000 })
 * app.get('/catalog', responseCache({ cache }), catalogHandler)
 */
export function responseCache(options: ResponseCacheOptions): MiddlewareHandler {
  const cache = new ResponseCache(options)
  return async (context, next) => {
    const lookup = await cache.lookup(cacheableRequest(context))
    if (lookup.action === 'bypass') return next()
    if (lookup.action === 'gone') return clientGoneResponse()
    if (lookup.action === 'serve') {
      return storedWebResponse(lookup.response, lookup.xCache, context.req.method === 'HEAD')
    }
    try {
      await next()
    } catch (error) {
      lookup.lead.abandon('the handler threw')
      throw error
    }
    context.res = await captureWebResponse(context.res, lookup.lead, cache.maxBodyBytes)
  }
}

function cacheableRequest(context: Context): CacheableRequest {
  const url = context.req.url
  const query = url.indexOf('?')
  return {
    method: context.req.method,
    url: query === -1 ? context.req.path : context.req.path + url.slice(query),
    header: (name) => context.req.header(name),
    signal: context.req.raw.signal,
  }
}
