import { LoopworkError } from '@loopwork/internal'

export { isLoopworkError, LoopworkError } from '@loopwork/internal'

/**
 * A streamed iterable yielded something other than a string or bytes. The stream stops there and
 * the error goes to the stream's `onError`, like any failure of the iterable.
 */
export class StreamChunkError extends LoopworkError {
  static override readonly code = 'LOOPWORK_STREAM_CHUNK'

  constructor(chunk: unknown) {
    super(
      `streamIterable(): the iterable must yield strings or Uint8Array/Buffer chunks, got ${chunk === null ? 'null' : typeof chunk}; serialize objects first (for example JSON.stringify(value) + '\\n')`,
      { name: 'StreamChunkError' },
    )
  }
}

/**
 * The response that a cache miss produced may not be stored (not a 200, `no-store`, `private`,
 * `Set-Cookie`, `Vary: *`, too large or streamed). It is how the response cache ends that load, so
 * the requests that waited for it run their own handler; the TtlCache counts it in `loadErrors`.
 */
export class UncacheableResponseError extends LoopworkError {
  static override readonly code = 'LOOPWORK_UNCACHEABLE'

  /** Why the response was not stored, such as `status 500` or `cache-control: private`. */
  declare readonly reason: string

  constructor(key: string, reason: string) {
    super(
      `responseCache: the response for ${JSON.stringify(key)} was not cached: ${reason}`,
      { name: 'UncacheableResponseError' },
      { reason },
    )
  }
}
