/** Stable codes of the errors this package throws or reports, for `switch (error.code)`. */
export type TtlCacheErrorCode =
  | 'ABORT_ERR'
  | 'LOOPWORK_TTL_CACHE_INVALID_VALUE'
  | 'LOOPWORK_TTL_CACHE_REDIS_TIMEOUT'
  | 'LOOPWORK_TTL_CACHE_CIRCUIT_OPEN'
  | 'LOOPWORK_TTL_CACHE_SERIALIZATION'

/** Base class of every error this package creates, so `instanceof TtlCacheError` catches them all. */
export class TtlCacheError extends Error {
  /** A stable machine-readable code. */
  readonly code: TtlCacheErrorCode

  constructor(code: TtlCacheErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'TtlCacheError'
    this.code = code
  }
}

/**
 * A caller's wait for a value was cancelled through its `AbortSignal` (the signal's reason is the
 * `cause`), or a load was cancelled because every caller waiting for it left. Named `AbortError` like
 * the platform's own, so code that checks `error.name === 'AbortError'` works.
 */
export class AbortError extends TtlCacheError {
  constructor(message: string, reason: unknown) {
    super('ABORT_ERR', message, { cause: reason })
    this.name = 'AbortError'
  }
}

/**
 * `undefined` was offered as a value, by `set` or by a loader. A cache cannot tell a stored
 * `undefined` from a miss, so it refuses it; use `null` for "known to be absent".
 */
export class InvalidCacheValueError extends TtlCacheError {
  /** The key the value was meant for. */
  readonly key: unknown

  constructor(key: unknown, source: 'set' | 'loader') {
    const origin = source === 'set' ? 'set() was called with' : 'the loader resolved to'
    super(
      'LOOPWORK_TTL_CACHE_INVALID_VALUE',
      `${origin} undefined for key ${describeKey(key)}; a cached value must not be undefined (use null for "absent")`,
    )
    this.name = 'InvalidCacheValueError'
    this.key = key
  }
}

/** A Redis call took longer than `operationTimeoutMs`. Reported, never thrown at callers. */
export class RedisTimeoutError extends TtlCacheError {
  /** The Redis operation that timed out, such as `read` or `write`. */
  readonly operation: string
  /** The `operationTimeoutMs` that ran out. */
  readonly timeoutMs: number

  constructor(operation: string, timeoutMs: number) {
    super(
      'LOOPWORK_TTL_CACHE_REDIS_TIMEOUT',
      `Redis operation "${operation}" did not answer within operationTimeoutMs (${timeoutMs} ms)`,
    )
    this.name = 'RedisTimeoutError'
    this.operation = operation
    this.timeoutMs = timeoutMs
  }
}

/**
 * The circuit breaker is open after repeated Redis failures, so the call was not even sent. The
 * cache serves from memory and the loader until the breaker lets a trial call through.
 */
export class CircuitOpenError extends TtlCacheError {
  /** The Redis operation that was skipped. */
  readonly operation: string

  constructor(operation: string, retryInMs: number) {
    super(
      'LOOPWORK_TTL_CACHE_CIRCUIT_OPEN',
      `Redis operation "${operation}" skipped: the circuit breaker is open for another ${Math.ceil(retryInMs)} ms after repeated failures`,
    )
    this.name = 'CircuitOpenError'
    this.operation = operation
  }
}

/** A value could not be serialized for, or deserialized from, Redis. The cause is the serializer's error. */
export class SerializationError extends TtlCacheError {
  /** The cache key whose value failed. */
  readonly key: string

  constructor(key: string, direction: 'serialize' | 'deserialize', cause: unknown) {
    super(
      'LOOPWORK_TTL_CACHE_SERIALIZATION',
      `Could not ${direction} the value of key ${JSON.stringify(key)}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    )
    this.name = 'SerializationError'
    this.key = key
  }
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key)
}
