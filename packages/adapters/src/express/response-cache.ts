import type { RequestHandler } from 'express'
import {
  cacheableNodeRequest,
  captureNodeResponse,
  writeStoredResponse,
} from '../internal/response-cache/node-response-capture.js'
import { type CacheLookup, ResponseCache } from '../internal/response-cache/response-cache.js'
import type { ResponseCacheOptions } from '../types.js'

/**
 * Caches GET responses (HEAD is answered from them) in a TtlCache with single flight: concurrent
 * misses run the handler once; keyed by method, path, sorted query and the request headers named in
 * `Vary`; only 200s without `no-store`/`private`/`Set-Cookie` are stored; every answer carries
 * `X-Cache: HIT | MISS | STALE`. Use it app-wide or on the routes worth caching.
 *
 * @example
 * const cache = new TtlCache<string, CachedResponse>({ name: 'responses', max: 1_000, ttlMs: 30_000 })
 * app.get('/catalog', responseCache({ cache }), catalogHandler)
 */
export function responseCache(options: ResponseCacheOptions): RequestHandler {
  const cache = new ResponseCache(options)
  return (request, response, next) => {
    const act = (lookup: CacheLookup) => {
      if (lookup.action === 'bypass') next()
      else if (lookup.action === 'serve') {
        writeStoredResponse(response, lookup.response, lookup.xCache, request.method === 'HEAD')
      } else if (lookup.action === 'lead') {
        response.setHeader('x-cache', 'MISS')
        captureNodeResponse(response, cache.maxBodyBytes, lookup.lead)
        next()
      }
    }
    const lookup = cache.lookup(
      cacheableNodeRequest(request.method, request.originalUrl, request.headers, response),
    )
    if (lookup instanceof Promise) lookup.then(act, next)
    else act(lookup)
  }
}
