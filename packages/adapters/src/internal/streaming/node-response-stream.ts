import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { startTimer } from '@loopwork/internal'
import type { StreamOptions, StreamOutcome, StreamSource } from '../../types.js'
import {
  checkedChunk,
  isStopError,
  openSource,
  resolveStreamOptions,
  STREAM_FAILED_BODY,
  stopSource,
} from './stream-source.js'

/**
 * Streams `source` into a Node response with backpressure: after a `write` that returns `false` it
 * waits for the response's `drain` before asking the source for the next chunk, so a slow client
 * never makes the server buffer the whole body. A client that does not drain within
 * `drainTimeoutMs` is dropped (the connection is destroyed, which releases whatever waits for the
 * response's `close`). When the client goes away the source is stopped with `return()` (its
 * `finally` blocks run) and its signal aborts. Resolves with how it ended; never rejects (a failing
 * source goes to `onError`).
 *
 * The first chunk is read before the headers are written, so a source that fails at once still
 * gets a proper 500 instead of a cut connection. `presetHeaders` are headers the framework already
 * collected for this response (Fastify's `reply.getHeaders()`).
 */
export async function writeIterable(
  response: ServerResponse,
  source: StreamSource,
  options?: StreamOptions,
  presetHeaders?: OutgoingHttpHeaders,
): Promise<StreamOutcome> {
  const { status, headers, onError, drainTimeoutMs } = resolveStreamOptions(options)
  const opened = openSource(source)
  let gone = false
  const onClose = () => {
    if (response.writableFinished) return
    gone = true
    // Sources waiting on events (not on their next chunk) learn at once that nobody listens.
    opened.controller.abort()
  }
  response.once('close', onClose)
  try {
    let step = await opened.iterator.next()
    if (gone) return await abandon()
    response.writeHead(
      status,
      presetHeaders === undefined ? headers : { ...presetHeaders, ...headers },
    )
    while (step.done !== true) {
      if (
        !response.write(checkedChunk(step.value)) &&
        !(await drainedOrClosed(response, drainTimeoutMs))
      ) {
        // The client stopped reading: drop it rather than hold its connection and its token.
        response.destroy()
        await stopSource(opened, onError)
        return 'stalled'
      }
      if (gone) return await abandon()
      step = await opened.iterator.next()
      if (gone) return await abandon()
    }
    response.end()
    return 'completed'
  } catch (error) {
    if (gone) {
      if (!isStopError(opened, error)) onError(error)
      return await abandon()
    }
    onError(error)
    if (response.headersSent) {
      response.destroy()
      await stopSource(opened, onError)
    } else {
      response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
      response.end(STREAM_FAILED_BODY)
    }
    return 'failed'
  } finally {
    response.off('close', onClose)
  }

  async function abandon(): Promise<'client-gone'> {
    await stopSource(opened, onError)
    return 'client-gone'
  }
}

/**
 * Waits until the response can take more data or is gone (`true`), or `timeoutMs` passed without
 * either (`false`).
 */
function drainedOrClosed(response: ServerResponse, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (drained: boolean) => {
      clearTimeout(timer)
      response.off('drain', done)
      response.off('close', done)
      resolve(drained)
    }
    const done = () => settle(true)
    const timer = startTimer(() => settle(false), timeoutMs)
    response.on('drain', done)
    response.on('close', done)
  })
}
