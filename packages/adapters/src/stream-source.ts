import { StreamChunkError } from './errors.js'
import {
  assertOptionalFunction,
  assertOptionsObject,
  describe,
  invalid,
} from './option-validation.js'

/** One piece of a streamed body. Serialize objects yourself (NDJSON, SSE frames...). */
export type StreamChunk = string | Uint8Array

/** An iterable of chunks, sync or async. */
export type ChunkIterable = AsyncIterable<StreamChunk> | Iterable<StreamChunk>

/**
 * What a streaming helper accepts: an iterable, or a function that makes one from a context whose
 * `signal` aborts when the client goes away (useful for sources that wait on events and would
 * otherwise not notice until their next chunk).
 */
export type StreamSource = ChunkIterable | ((context: { signal: AbortSignal }) => ChunkIterable)

/** How a streamed response ended. */
export type StreamOutcome = 'completed' | 'client-gone' | 'failed'

/** Options of the streaming helpers of every adapter. */
export interface StreamOptions {
  /**
   * The response status.
   *
   * @default 200
   * @example streamIterable(response, rows(), { status: 206 })
   */
  readonly status?: number | undefined

  /**
   * The `content-type` of the body.
   *
   * @default 'application/octet-stream'
   * @example streamIterable(response, lines(), { contentType: 'application/x-ndjson' })
   */
  readonly contentType?: string | undefined

  /**
   * Extra response headers.
   *
   * @default {}
   * @example streamIterable(response, csv(), { headers: { 'content-disposition': 'attachment' } })
   */
  readonly headers?: Readonly<Record<string, string>> | undefined

  /**
   * Called when the iterable throws (or yields something that is not a string or bytes). Before the
   * first chunk the client gets a 500; after it the connection is cut, since the status is gone.
   *
   * @default logs `[loopwork] streamed response failed:` and the error to stderr
   * @example streamIterable(response, rows(), { onError: (error) => logger.error(error) })
   */
  readonly onError?: ((error: unknown) => void) | undefined
}

/** A source opened for reading, with the controller that tells it the client left. */
export interface OpenedSource {
  readonly iterator: Iterator<StreamChunk> | AsyncIterator<StreamChunk>
  readonly controller: AbortController
}

/** The options with their defaults, checked once per call. */
export interface ResolvedStreamOptions {
  readonly status: number
  readonly headers: Record<string, string>
  readonly onError: (error: unknown) => void
}

const encoder = new TextEncoder()

/** Checks the options and fills in the defaults. */
export function resolveStreamOptions(options: StreamOptions | undefined): ResolvedStreamOptions {
  if (options === undefined) {
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      onError: logStreamFailure,
    }
  }
  assertOptionsObject('options', options)
  const status = options.status ?? 200
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw invalid(status, `status must be an integer from 200 to 599, got ${describe(status)}`)
  }
  assertOptionalFunction('onError', options.onError)
  return {
    status,
    headers: {
      ...options.headers,
      'content-type': options.contentType ?? 'application/octet-stream',
    },
    onError: options.onError ?? logStreamFailure,
  }
}

/** Opens `source` for reading; throws a `TypeError` when it is not iterable. */
export function openSource(source: StreamSource): OpenedSource {
  const controller = new AbortController()
  const iterable = typeof source === 'function' ? source({ signal: controller.signal }) : source
  const asyncIterator = (iterable as AsyncIterable<StreamChunk>)?.[Symbol.asyncIterator]
  const syncIterator = (iterable as Iterable<StreamChunk>)?.[Symbol.iterator]
  if (typeof asyncIterator === 'function')
    return { iterator: asyncIterator.call(iterable), controller }
  if (typeof syncIterator === 'function' && typeof iterable !== 'string') {
    return { iterator: syncIterator.call(iterable), controller }
  }
  throw invalid(
    iterable,
    `the stream source must be an iterable of chunks, got ${describe(iterable)}`,
  )
}

/** Tells the source the client left and stops it (`return()`, so its `finally` blocks run). */
export async function stopSource(
  opened: OpenedSource,
  onError: (error: unknown) => void,
): Promise<void> {
  opened.controller.abort()
  try {
    await opened.iterator.return?.()
  } catch (error) {
    onError(error)
  }
}

/** Checks a chunk, turning strings into bytes only where a byte stream needs them. */
export function checkedChunk(chunk: unknown): StreamChunk {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return chunk
  throw new StreamChunkError(chunk)
}

/** A chunk as bytes, for web streams (a Node response takes strings as they are). */
export function chunkBytes(chunk: unknown): Uint8Array {
  const checked = checkedChunk(chunk)
  return typeof checked === 'string' ? encoder.encode(checked) : checked
}

/** The JSON body of a stream that failed before its first chunk. */
export const STREAM_FAILED_BODY = JSON.stringify({ error: 'Internal Server Error' })

function logStreamFailure(error: unknown): void {
  console.error('[loopwork] streamed response failed:', error)
}
