import type { ServerResponse } from 'node:http'
import { startTimer, TimeoutError } from '@loopwork/internal'
import type { StreamSource } from '../../types.js'
import {
  chunkBytes,
  isStopError,
  openSource,
  type ResolvedStreamOptions,
  stopSource,
} from './stream-source.js'

/**
 * Turns `source` into a web `ReadableStream` that pulls one chunk each time the consumer reads
 * (high-water mark 0), so backpressure reaches the source: on Node, @hono/node-server waits for
 * the response's `drain` before reading again. Cancelling the stream (the client went away) stops
 * the source with `return()`; a chunk the source produces after that is dropped, never enqueued
 * into the closed stream. A consumer that reads nothing for `drainTimeoutMs` after a chunk was
 * handed to it is dropped: on Node its response `outgoing` is destroyed (which closes the
 * connection and releases what waits for the response's `close`), elsewhere the stream errors.
 * Resolves with `undefined` when the source fails before its first chunk, after reporting the
 * error, so the caller can answer 500.
 */
export async function iterableReadableStream(
  source: StreamSource,
  options: ResolvedStreamOptions,
  outgoing?: ServerResponse,
): Promise<ReadableStream<Uint8Array> | undefined> {
  const { onError, drainTimeoutMs } = options
  const opened = openSource(source)
  let first: IteratorResult<unknown>
  try {
    first = await opened.iterator.next()
  } catch (error) {
    onError(error)
    return undefined
  }
  let pending: IteratorResult<unknown> | undefined = first
  /** Nothing more goes into the stream: it closed, errored, was cancelled or its reader dropped. */
  let ended = false
  /** A chunk was handed over and the consumer has not asked for the next one yet. */
  let awaitingRead = false
  let stallTimer: ReturnType<typeof setTimeout> | undefined

  const end = () => {
    ended = true
    if (stallTimer !== undefined) clearTimeout(stallTimer)
  }

  const dropStalled = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (ended || !awaitingRead) return
    end()
    if (outgoing !== undefined) {
      // @hono/node-server cancels the reader once the response closes; erroring the stream would
      // make it log the error as a failed response.
      outgoing.destroy()
    } else {
      controller.error(
        new TimeoutError(
          `streamIterable(): the client read nothing for ${drainTimeoutMs} ms (drainTimeoutMs)`,
          drainTimeoutMs,
        ),
      )
    }
    void stopSource(opened, onError)
  }

  const watchForStall = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    awaitingRead = true
    if (drainTimeoutMs === Number.POSITIVE_INFINITY) return
    // One timer per stream, re-armed per chunk: no allocation per chunk where timers refresh.
    if (stallTimer !== undefined && typeof stallTimer.refresh === 'function') stallTimer.refresh()
    else {
      if (stallTimer !== undefined) clearTimeout(stallTimer)
      stallTimer = startTimer(() => dropStalled(controller), drainTimeoutMs)
    }
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        awaitingRead = false
        try {
          const step = pending ?? (await opened.iterator.next())
          pending = undefined
          // Cancelled or dropped while the source produced this chunk: nobody reads it any more.
          if (ended) return
          if (step.done === true) {
            end()
            controller.close()
          } else {
            controller.enqueue(chunkBytes(step.value))
            watchForStall(controller)
          }
        } catch (error) {
          if (ended) {
            // The source failed after the client left: report it unless it only saw its abort.
            if (!isStopError(opened, error)) onError(error)
            return
          }
          end()
          onError(error)
          controller.error(error)
          await stopSource(opened, onError)
        }
      },
      cancel() {
        if (ended) return
        end()
        return stopSource(opened, onError)
      },
    },
    { highWaterMark: 0 },
  )
}
