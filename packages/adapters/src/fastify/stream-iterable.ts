import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyReply } from 'fastify'
import { defaultErrorLog } from '../internal/error-log.js'
import { writeIterable } from '../internal/streaming/node-response-stream.js'
import type { StreamOptions, StreamOutcome, StreamSource } from '../types.js'

/**
 * Streams an iterable (or a function of `{ signal }` returning one) as the reply body with
 * backpressure (it waits for the raw response's `drain`, dropping a client that does not drain
 * within `drainTimeoutMs`), and stops the iterable with `return()` when the client goes away. The
 * reply is hijacked; headers already set with `reply.header()` are kept. Failures go to `onError`,
 * by default the request's logger (identical errors once per 10 s, with a count). Resolves with
 * how it ended.
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
          onError: (error: unknown) =>
            defaultErrorLog.report('streamed response failed', error, (message, failure) =>
              reply.log.error(failure === undefined ? {} : { err: failure }, message),
            ),
        }
      : options
  reply.hijack()
  return writeIterable(reply.raw, source, withLogger, reply.getHeaders() as OutgoingHttpHeaders)
}
