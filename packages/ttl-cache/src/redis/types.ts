import type { Redis } from 'ioredis'
import type { TtlCacheEvents, TtlCacheOptions } from '../types.js'

// Options, stats and events of the Redis tier (RedisTtlCache). Durations are checked as for
// TtlCache: milliseconds up to 2,147,483,647; each option says whether it also takes Infinity.

/** `closed`: Redis calls go through. `open`: they are skipped. `half-open`: one trial call goes through. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/**
 * Turns values into the strings stored in Redis and back. Plug in your own for values JSON cannot
 * carry (Dates, Maps, BigInts) or for a compact format such as MessagePack-in-base64.
 */
export interface Serializer<V> {
  /** Must return a string; throwing (or returning something else) keeps the value in memory only. */
  serialize(value: V): string
  /** Must invert `serialize`; throwing makes the stored value count as a miss. */
  deserialize(text: string): V
}

/**
 * Options of a {@link RedisTtlCache}. `name`, the memory bounds (`max`, `maxSize`,
 * `sizeCalculation`), `staleWhileRevalidateMs`, `negativeTtlMs` and `sweepIntervalMs` are as for
 * `TtlCache` and apply to the memory tier.
 */
export interface RedisTtlCacheOptions<V>
  extends Pick<
    TtlCacheOptions<string, V>,
    | 'name'
    | 'max'
    | 'maxSize'
    | 'sizeCalculation'
    | 'staleWhileRevalidateMs'
    | 'negativeTtlMs'
    | 'sweepIntervalMs'
  > {
  /**
   * The ioredis client for commands. It is not closed by `close()`. Do not set ioredis' own
   * `keyPrefix` on it (use `keyPrefix` here): SCAN results would not round-trip.
   *
   * @example new RedisTtlCache({ redis: new Redis(process.env.REDIS_URL), max: 10_000, ttlMs: 60_000 })
   */
  readonly redis: Redis

  /**
   * A second connection for the invalidation channel (a subscribed connection cannot run commands).
   *
   * @default redis.duplicate(), owned by the cache and closed by close()
   * @example new RedisTtlCache({ redis, subscriber: redis.duplicate(), max: 1000, ttlMs: 60_000 })
   */
  readonly subscriber?: Redis | undefined

  /**
   * Prefix of every key and of the channel this cache uses in Redis. Instances that share values must
   * use the same prefix; distinct caches (or test runs) must not. A non-empty string.
   *
   * @default 'loopwork:cache:'
   * @example new RedisTtlCache({ redis, keyPrefix: 'catalog:v2:', max: 1000, ttlMs: 60_000 })
   */
  readonly keyPrefix?: string | undefined

  /**
   * How long a value lives in Redis, in milliseconds: the shared TTL, kept by Redis itself. From 1
   * to 2,147,483,647; `Infinity` is refused (every value in Redis has a TTL, so Redis memory stays
   * bounded). Each `set`/`getOrLoad` may override it.
   *
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 300_000 })
   */
  readonly ttlMs: number

  /**
   * The longest a value stays fresh in this instance's memory, in milliseconds. A value read from
   * Redis stays no longer than its remaining Redis TTL; invalidations from other instances evict it
   * earlier. `Infinity` means "no limit of its own" (the same as leaving it out).
   *
   * @default ttlMs
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 300_000, memoryTtlMs: 10_000 })
   */
  readonly memoryTtlMs?: number | undefined

  /**
   * Turns values into strings for Redis and back.
   *
   * @default jsonSerializer (`JSON.stringify` / `JSON.parse`)
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, serializer: { serialize: v8Base64, deserialize: fromV8Base64 } })
   */
  readonly serializer?: Serializer<V> | undefined

  /**
   * The longest any single Redis call may take before it counts as failed (a `TimeoutError`,
   * reported through `redisError`) and the cache falls back to memory and the loader. From 1 to
   * 2,147,483,647; `Infinity` is refused: a Redis that never answers must not hold requests.
   *
   * @default 500
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, operationTimeoutMs: 100 })
   */
  readonly operationTimeoutMs?: number | undefined

  /**
   * Failed Redis calls in a row after which the circuit opens: calls are skipped (memory-only) for
   * `circuitBreakerResetMs`, then one trial call decides. A positive integer.
   *
   * @default 5
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, circuitBreakerThreshold: 3 })
   */
  readonly circuitBreakerThreshold?: number | undefined

  /**
   * How long the circuit stays open before a trial call, in milliseconds (from 1 to 2,147,483,647).
   *
   * @default 5_000
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, circuitBreakerResetMs: 10_000 })
   */
  readonly circuitBreakerResetMs?: number | undefined

  /**
   * TTL of the Redis lock whose holder loads a missing key for every instance, in milliseconds (from
   * 1 to 2,147,483,647). If the holder dies, the lock frees itself after this long. Keep it above
   * your usual load time.
   *
   * @default 2_000
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, lockTtlMs: 5_000 })
   */
  readonly lockTtlMs?: number | undefined

  /**
   * How long an instance waits for another instance's load before it loads by itself (the fallback
   * for a slow or dead lock holder), in milliseconds. `0` never waits.
   *
   * @default lockTtlMs
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, lockWaitMs: 500 })
   */
  readonly lockWaitMs?: number | undefined

  /**
   * While waiting for another instance's load, how often Redis is checked for the value, in
   * milliseconds (from 1 to 2,147,483,647).
   *
   * @default 25
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, lockPollMs: 10 })
   */
  readonly lockPollMs?: number | undefined

  /**
   * How long invalidation counters (per key and per tag) are kept, in milliseconds (from 1 to
   * 2,147,483,647). A load that runs longer than this across an invalidation could write its value
   * back; keep it far above your slowest load.
   *
   * @default 600_000
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, versionRetentionMs: 3_600_000 })
   */
  readonly versionRetentionMs?: number | undefined

  /**
   * Batch size of SCAN/SSCAN and of each UNLINK in `clear()` and `invalidateTag()`, which bounds each
   * command so a big invalidation never blocks Redis or builds a huge pipeline. A positive integer.
   *
   * @default 500
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, scanCount: 1000 })
   */
  readonly scanCount?: number | undefined
}

/** Counters of the Redis side of a {@link RedisTtlCache}, as `redisStats()` returns them. */
export interface RedisTierStats {
  /** Lookups answered from this instance's memory. */
  readonly memoryHits: number
  /** Lookups that missed memory and found the value in Redis. */
  readonly redisHits: number
  /** Lookups that found the value in neither tier (or could not ask Redis). */
  readonly redisMisses: number
  /** Redis calls that failed or timed out (each also emitted as `redisError`). */
  readonly redisErrors: number
  /** Lookups that waited for another instance's load. */
  readonly lockWaits: number
  /** Waits that gave up after `lockWaitMs` and loaded by themselves. */
  readonly lockFallbacks: number
  /** Loaded values not written back because they were invalidated while loading. */
  readonly discardedWrites: number
  /** Invalidations received from other instances. */
  readonly invalidationsReceived: number
  /** The circuit breaker's state. */
  readonly circuit: CircuitState
}

/** The object of the Redis tier's `redisError` event. */
export interface RedisErrorEvent {
  /** What failed: a `TimeoutError`, a `CircuitOpenError`, a `SerializationError` or ioredis' error. */
  readonly error: unknown
  /** The Redis operation, such as `read`, `write`, `publish` or `subscriber`. */
  readonly operation: string
}

/** The object of the Redis tier's `circuit` event. */
export interface CircuitEvent {
  /** The circuit breaker's new state. */
  readonly state: CircuitState
}

/**
 * Events of a {@link RedisTtlCache}: those of `TtlCache` across both tiers (a Redis hit is a `hit`, a
 * `miss` means neither tier had it), plus Redis failures and circuit changes.
 */
export interface RedisTtlCacheEvents extends TtlCacheEvents<string> {
  /** A Redis call failed or timed out; the cache carried on from memory. */
  redisError: [event: RedisErrorEvent]
  /** The circuit breaker changed state. */
  circuit: [event: CircuitEvent]
}
