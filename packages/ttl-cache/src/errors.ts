import { LoopworkError, messageOf } from '@loopwork/internal'

export { AbortError, isLoopworkError, LoopworkError, TimeoutError } from '@loopwork/internal'

/**
 * `undefined` was offered as a value, by `set` or by a loader. A cache cannot tell a stored
 * `undefined` from a miss, so it refuses it; use `null` for "known to be absent".
 */
export class InvalidCacheValueError extends LoopworkError {
  static override readonly code = 'LOOPWORK_INVALID_CACHE_VALUE'

  /** The key the value was meant for. */
  declare readonly key: unknown

  /**
   * @param key The key the value was meant for.
   * @param source Who offered `undefined`: `set()` or a loader.
   * @param cacheName The `name` of the cache, for the message.
   */
  constructor(key: unknown, source: 'set' | 'loader', cacheName = 'cache') {
    const origin = source === 'set' ? 'set() was called with' : 'the loader resolved to'
    super(
      `cache ${JSON.stringify(cacheName)}: ${origin} undefined for key ${describeKey(key)}; a cached value must not be undefined (use null for "absent")`,
      { name: 'InvalidCacheValueError' },
      { key },
    )
  }
}

/**
 * The Redis tier's circuit breaker is open after repeated Redis failures, so the call was not even
 * sent. The cache serves from memory and the loader until the breaker lets a trial call through.
 * Reported through `redisError`, never thrown at callers of `getOrLoad` (only `ready()` rejects with it).
 */
export class CircuitOpenError extends LoopworkError {
  static override readonly code = 'LOOPWORK_CIRCUIT_OPEN'

  /** The Redis operation that was skipped. */
  declare readonly operation: string
  /** Milliseconds until the breaker lets a trial call through. */
  declare readonly retryInMs: number

  /**
   * @param operation The Redis operation that was skipped, such as `read`.
   * @param retryInMs Milliseconds until the next trial call.
   * @param cacheName The `name` of the cache, for the message.
   */
  constructor(operation: string, retryInMs: number, cacheName = 'cache') {
    super(
      `cache ${JSON.stringify(cacheName)}: Redis operation "${operation}" skipped: the circuit breaker is open for another ${Math.ceil(retryInMs)} ms after repeated failures`,
      { name: 'CircuitOpenError' },
      { operation, retryInMs },
    )
  }
}

/**
 * A value could not be serialized for, or deserialized from, Redis. The cause is the serializer's
 * error. A value that cannot be serialized stays in memory only; one that cannot be deserialized
 * counts as a miss.
 */
export class SerializationError extends LoopworkError {
  static override readonly code = 'LOOPWORK_SERIALIZATION'

  /** The cache key whose value failed. */
  declare readonly key: string

  /**
   * @param key The cache key whose value failed.
   * @param direction Whether writing (`serialize`) or reading (`deserialize`) failed.
   * @param cause The serializer's error.
   * @param cacheName The `name` of the cache, for the message.
   */
  constructor(
    key: string,
    direction: 'serialize' | 'deserialize',
    cause: unknown,
    cacheName = 'cache',
  ) {
    super(
      `cache ${JSON.stringify(cacheName)}: could not ${direction} the value of key ${JSON.stringify(key)}: ${messageOf(cause)}`,
      { cause, name: 'SerializationError' },
      { key },
    )
  }
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key)
}
