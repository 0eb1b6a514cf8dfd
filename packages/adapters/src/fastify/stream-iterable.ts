import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyReply } from 'fastify'
import { writeIterable } from '../internal/streaming/node-response-stream.js'
import type { StreamOptions, StreamOutcome, StreamSource } from '../types.js'

/**
 * Streams an iterable (or a function of `{ signal }` returning one) as the reply body with
 * backpressure (it waits for the raw response's `drain`), and stops the iterable with `return()`
 * when the client goes away. The reply is hijacked; headers already set with `reply.header()` are
 * kept. Failures go to `onError`, by default the request's logger. Resolves with how it ended.
 *
 * @example
 * app.get('/export', (request, reply) =>
 *   streamIterable(reply, exportRows(), { contentType: 'application/x-ndjson' }))
 */
export function streamIterable(
  reply: FastifyReply,
  source: StreamSource,
  options?: StreamOptions,
): Promise<StreamOutcome> {
  const withLogger =
    options?.onError === undefined
      ? {
          ...options,
          onError: (error: unknown) => reply.log.error({ err: error }, 'streamed response failed'),
        }
      : options
  reply.hijack()
  return writeIterable(reply.raw, source, withLogger, reply.getHeaders() as OutgoingHttpHeaders)
}
