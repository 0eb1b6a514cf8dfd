import type { StreamSource } from '../../types.js'
import { chunkBytes, openSource, type ResolvedStreamOptions, stopSource } from './stream-source.js'

/**
 * Turns `source` into a web `ReadableStream` that pulls one chunk each time the consumer reads
 * (high-water mark 0), so backpressure reaches the source: on Node, @hono/node-server waits for
 * the response's `drain` before reading again. Cancelling the stream (the client went away) stops
 * the source with `return()`. Resolves with `undefined` when the source fails before its first
 * chunk, after reporting the error, so the caller can answer 500.
 */
export async function iterableReadableStream(
  source: StreamSource,
  options: ResolvedStreamOptions,
): Promise<ReadableStream<Uint8Array> | undefined> {
  const { onError } = options
  const opened = openSource(source)
  let first: IteratorResult<unknown>
  try {
    first = await opened.iterator.next()
  } catch (error) {
    onError(error)
    return undefined
  }
  let pending: IteratorResult<unknown> | undefined = first
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const step = pending ?? (await opened.iterator.next())
          pending = undefined
          if (step.done === true) controller.close()
          else controller.enqueue(chunkBytes(step.value))
        } catch (error) {
          onError(error)
          controller.error(error)
          await stopSource(opened, onError)
        }
      },
      cancel: () => stopSource(opened, onError),
    },
    { highWaterMark: 0 },
  )
}
