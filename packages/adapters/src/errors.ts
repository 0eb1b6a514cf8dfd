/** Stable codes of the errors this package throws, for `switch (error.code)`. */
export type AdaptersErrorCode = 'LOOPWORK_ADAPTERS_STREAM_CHUNK' | 'LOOPWORK_ADAPTERS_UNCACHEABLE'

/** Base class of every error this package throws, so `instanceof AdaptersError` catches them all. */
export class AdaptersError extends Error {
  /** A stable machine-readable code. */
  readonly code: AdaptersErrorCode

  constructor(code: AdaptersErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'AdaptersError'
    this.code = code
  }
}

/**
 * A streamed iterable yielded something other than a string or bytes. The stream stops there and
 * the error goes to the stream's `onError`, like any failure of the iterable.
 */
export class StreamChunkError extends AdaptersError {
  constructor(chunk: unknown) {
    super(
      'LOOPWORK_ADAPTERS_STREAM_CHUNK',
      `A streamed iterable must yield strings or Uint8Array/Buffer chunks, got ${chunk === null ? 'null' : typeof chunk}; serialize objects first (for example JSON.stringify(value) + '\\n')`,
    )
    this.name = 'StreamChunkError'
  }
}

/**
 * The response that a cache miss produced may not be stored (not a 200, `no-store`, `private`,
 * `Set-Cookie`, `Vary: *`, too large or streamed). It is how the response cache ends that load, so
 * the requests that waited for it run their own handler; TtlCache counts it in `loadErrors`.
 */
export class UncacheableResponseError extends AdaptersError {
  /** Why the response was not stored. */
  readonly reason: string

  constructor(key: string, reason: string) {
    super(
      'LOOPWORK_ADAPTERS_UNCACHEABLE',
      `The response for ${JSON.stringify(key)} was not cached: ${reason}`,
    )
    this.name = 'UncacheableResponseError'
    this.reason = reason
  }
}
