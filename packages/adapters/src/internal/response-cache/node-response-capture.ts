import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import type { StoredResponse } from '../../types.js'
import { whenResponseClosed } from '../response-close.js'
import type { CacheLead } from './cache-lead.js'
import type { CacheableRequest, CacheServe } from './response-cache.js'

/** Answers a Node response with a stored one, marked with `X-Cache`. HEAD gets the headers only. */
export function writeStoredResponse(
  response: ServerResponse,
  stored: StoredResponse,
  xCache: CacheServe,
  headOnly: boolean,
): void {
  response.writeHead(stored.status, {
    ...stored.headers,
    'content-length': String(stored.body.byteLength),
    'x-cache': xCache,
  })
  response.end(headOnly ? undefined : stored.body)
}

type WriteArguments = [chunk?: unknown, encoding?: unknown, callback?: unknown]

/**
 * Records what a handler writes to a Node response (Express), up to `maxBodyBytes`, and hands it to
 * the cache lead when the response ends; a response that closes without ending abandons the lead.
 * The writes still go to the client unchanged.
 */
export function captureNodeResponse(
  response: ServerResponse,
  maxBodyBytes: number,
  lead: CacheLead,
): void {
  const chunks: Uint8Array[] = []
  let size = 0
  let overflow = false
  const keep = (chunk: unknown, encoding: unknown) => {
    if (overflow || chunk === undefined || chunk === null || typeof chunk === 'function') return
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : (chunk as Uint8Array)
    size += bytes.byteLength
    if (size > maxBodyBytes) {
      overflow = true
      chunks.length = 0
    } else chunks.push(bytes)
  }
  const write = response.write as (...parts: WriteArguments) => boolean
  const end = response.end as (...parts: WriteArguments) => ServerResponse
  response.write = function (this: ServerResponse, ...parts: WriteArguments) {
    keep(parts[0], parts[1])
    return write.apply(this, parts)
  } as ServerResponse['write']
  response.end = function (this: ServerResponse, ...parts: WriteArguments) {
    keep(parts[0], parts[1])
    const ended = end.apply(this, parts)
    lead.finish({
      status: this.statusCode,
      headers: this.getHeaders(),
      body: overflow ? undefined : Buffer.concat(chunks),
    })
    return ended
  } as ServerResponse['end']
  whenResponseClosed(response, () => lead.abandon())
}

/**
 * The request of a Node server as the response cache sees it; its signal aborts when the client
 * goes away before the response is complete.
 */
export function cacheableNodeRequest(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  response: ServerResponse,
): CacheableRequest {
  const controller = new AbortController()
  response.once('close', () => {
    if (!response.writableFinished) controller.abort()
  })
  return {
    method,
    url,
    header: (name) => {
      const value = headers[name]
      return Array.isArray(value) ? value.join(', ') : value
    },
    signal: controller.signal,
  }
}

/**
 * The bytes of a serialized payload (Fastify's `onSend`), or `undefined` for a stream or a body
 * over the limit.
 */
export function payloadBytes(payload: unknown, maxBodyBytes: number): Uint8Array | undefined {
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
