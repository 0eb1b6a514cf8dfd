import * as option from '@loopwork/internal/options'
import { StreamChunkError } from '../../errors.js'
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  type StreamChunk,
  type StreamOptions,
  type StreamSource,
} from '../../types.js'
import { defaultErrorLog } from '../error-log.js'

const SCHEMA = {
  status: option.integer({ min: 200, max: 599 }),
  contentType: option.string,
  headers: option.object,
  onError: option.function,
  drainTimeoutMs: option.duration({ infinity: true }),
}

const DEFAULT_OPTIONS: ResolvedStreamOptions = Object.freeze({
  status: 200,
  headers: Object.freeze({ 'content-type': 'application/octet-stream' }),
  onError: logStreamFailure,
  drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS,
})

/** A source opened for reading, with the controller that tells it the client left. */
export interface OpenedSource {
  readonly iterator: Iterator<StreamChunk> | AsyncIterator<StreamChunk>
  readonly controller: AbortController
}

/** The options with their defaults, checked once per call. */
export interface ResolvedStreamOptions {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly onError: (error: unknown) => void
  /** How long a full buffer may wait for the client to drain it; `Infinity` for no limit. */
  readonly drainTimeoutMs: number
}

const encoder = new TextEncoder()

/** Checks the options and fills in the defaults. */
export function resolveStreamOptions(options: StreamOptions | undefined): ResolvedStreamOptions {
  if (options === undefined) return DEFAULT_OPTIONS
  option.check('streamIterable() options', options, SCHEMA)
  return {
    status: options.status ?? 200,
    headers: {
      ...options.headers,
      'content-type': options.contentType ?? 'application/octet-stream',
    },
    onError: options.onError ?? logStreamFailure,
    drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS,
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
  throw option.invalid(
    'streamIterable() source',
    iterable,
    'an iterable of chunks, or a function ({ signal }) => iterable',
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

/**
 * Whether `error` is only the source reacting to being stopped (it rejected with the abort of its
 * signal), which is no failure to report: the client went away.
 */
export function isStopError(opened: OpenedSource, error: unknown): boolean {
  const signal = opened.controller.signal
  return (
    signal.aborted &&
    (error === signal.reason || (error instanceof Error && error.name === 'AbortError'))
  )
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

/** The default `onError`: stderr, identical errors once per window with a count. */
function logStreamFailure(error: unknown): void {
  defaultErrorLog.report('[loopwork] streamed response failed:', error)
}
