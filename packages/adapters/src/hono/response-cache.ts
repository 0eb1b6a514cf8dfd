import type { Context, MiddlewareHandler } from 'hono'
import { type CacheableRequest, type CacheLead, ResponseCache } from '../response-cache.js'
import type { ResponseCacheOptions } from '../response-cache-options.js'
import { clientGoneResponse } from './node-bindings.js'

/**
 * Caches GET responses (HEAD is answered from them) in a TtlCache with single flight: concurrent
 * misses run the handler once; keyed by method, path, sorted query and the request headers named in
 * `Vary`; only 200s without `no-store`/`private`/`Set-Cookie` are stored; every answer carries
 * `X-Cache: HIT | MISS | STALE`. A miss's body is read whole to be stored, so keep event streams
 * out of it.
 *
 * @example
 * const cache = new TtlCache<string, CachedResponse>({ max: 1_000, ttlMs: 30_000 })
 * app.get('/catalog', responseCache({ cache }), catalogHandler)
 */
export function responseCache(options: ResponseCacheOptions): MiddlewareHandler {
  const cache = new ResponseCache(options)
  return async (context, next) => {
    const lookup = await cache.lookup(cacheableRequest(context))
    if (lookup.action === 'bypass') return next()
    if (lookup.action === 'gone') return clientGoneResponse()
    if (lookup.action === 'serve') {
      const { response, xCache } = lookup
      return new Response(context.req.method === 'HEAD' ? null : response.body, {
        status: response.status,
        headers: [
          ...flatHeaders(response.headers),
          ['content-length', String(response.body.byteLength)],
          ['x-cache', xCache],
        ],
      })
    }
    try {
      await next()
    } catch (error) {
      lookup.lead.abandon('the handler threw')
      throw error
    }
    context.res = await captured(context.res, lookup.lead, cache.maxBodyBytes)
  }
}

/** Hands the handler's response to the lead and returns it again, readable, marked `MISS`. */
async function captured(
  response: Response,
  lead: CacheLead,
  maxBodyBytes: number,
): Promise<Response> {
  const length = Number(response.headers.get('content-length') ?? Number.NaN)
  const streamed = (response.headers.get('content-type') ?? '').startsWith('text/event-stream')
  if (response.status !== 200 || streamed || length > maxBodyBytes || response.body === null) {
    lead.finish({
      status: response.status,
      headers: headerRecord(response.headers),
      body: undefined,
    })
    return marked(new Response(response.body, response))
  }
  const body = new Uint8Array(await response.arrayBuffer())
  lead.finish({
    status: response.status,
    headers: headerRecord(response.headers),
    body: body.byteLength > maxBodyBytes ? undefined : body,
  })
  return marked(new Response(body, response))
}

function marked(response: Response): Response {
  response.headers.set('x-cache', 'MISS')
  return response
}

function headerRecord(headers: Headers): Record<string, string | readonly string[]> {
  const record: Record<string, string | readonly string[]> = {}
  headers.forEach((value, name) => {
    record[name] = value
  })
  const cookies = headers.getSetCookie()
  if (cookies.length > 0) record['set-cookie'] = cookies
  return record
}

function flatHeaders(
  headers: Readonly<Record<string, string | readonly string[]>>,
): [string, string][] {
  const pairs: [string, string][] = []
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') pairs.push([name, value])
    else for (const each of value) pairs.push([name, each])
  }
  return pairs
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
