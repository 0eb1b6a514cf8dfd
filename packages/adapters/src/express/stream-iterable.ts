import type { Response } from 'express'
import { writeIterable } from '../internal/streaming/node-response-stream.js'
import type { StreamOptions, StreamOutcome, StreamSource } from '../types.js'

/**
 * Streams an iterable (or a function of `{ signal }` returning one) as the response body with
 * backpressure (it waits for `drain`), and stops the iterable with `return()` when the client goes
 * away. Headers already set with `response.set()` are kept. Resolves with how it ended.
 *
 * @example
 * app.get('/export', async (request, response) => {
 *   await streamIterable(response, exportRows(), { contentType: 'application/x-ndjson' })
 * })
 */
export function streamIterable(
  response: Response,
  source: StreamSource,
  options?: StreamOptions,
): Promise<StreamOutcome> {
  return writeIterable(response, source, options)
}
