import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { nodeResponseOf } from '../internal/hono/node-bindings.js'
import { resolveStreamOptions, STREAM_FAILED_BODY } from '../internal/streaming/stream-source.js'
import { iterableReadableStream } from '../internal/streaming/web-response-stream.js'
import type { StreamOptions, StreamSource } from '../types.js'

/**
 * A streamed response from an iterable (or a function of `{ signal }` returning one): the body is a
 * `ReadableStream` that asks the iterable for a chunk only when the consumer reads, so backpressure
 * reaches it (on Node, @hono/node-server waits for the response's `drain` before reading again), a
 * client that reads nothing for `drainTimeoutMs` is dropped, and the iterable is stopped with
 * `return()` when the client goes away or is dropped. Works on every runtime.
 *
 * @example
 * app.get('/export', (c) => streamIterable(c, exportRows(), { contentType: 'application/x-ndjson' }))
 */
export async function streamIterable(
  context: Context,
  source: StreamSource,
  options?: StreamOptions,
): Promise<Response> {
  const resolved = resolveStreamOptions(options)
  const body = await iterableReadableStream(source, resolved, nodeResponseOf(context))
  if (body === undefined) {
    return context.body(STREAM_FAILED_BODY, 500, {
      'content-type': 'application/json; charset=utf-8',
    })
  }
  return context.body(body, resolved.status as ContentfulStatusCode, resolved.headers)
}
