import type { StoredResponse } from '../../types.js'
import type { CacheLead } from './cache-lead.js'
import type { CacheServe } from './response-cache.js'

/** A stored response as a web `Response`, marked with `X-Cache`. HEAD gets the headers only. */
export function storedWebResponse(
  stored: StoredResponse,
  xCache: CacheServe,
  headOnly: boolean,
): Response {
  return new Response(headOnly ? null : (stored.body as Uint8Array<ArrayBuffer>), {
    status: stored.status,
    headers: [
      ...flatHeaders(stored.headers),
      ['content-length', String(stored.body.byteLength)],
      ['x-cache', xCache],
    ],
  })
}

/**
 * Hands the web `Response` a handler produced to the cache lead and returns it again, still
 * readable, marked `X-Cache: MISS`. The body is read whole only when it may be stored: a 200 that
 * is not an event stream and not announced larger than `maxBodyBytes`.
 */
export async function captureWebResponse(
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
    return markedMiss(new Response(response.body, response))
  }
  const body = new Uint8Array(await response.arrayBuffer())
  lead.finish({
    status: response.status,
    headers: headerRecord(response.headers),
    body: body.byteLength > maxBodyBytes ? undefined : body,
  })
  return markedMiss(new Response(body, response))
}

function markedMiss(response: Response): Response {
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
