import type { Redis } from 'ioredis'
import type { TtlCacheOptions } from '../ttl-cache-options.js'
import type { Serializer } from './serializer.js'

/** Options of a {@link RedisTtlCache}. Memory bounds (`max`, `maxSize`, `sizeCalculation`) are as for `TtlCache`. */
export interface RedisTtlCacheOptions<V>
  extends Pick<
    TtlCacheOptions<string, V>,
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
   * use the same prefix; distinct caches (or test runs) must not.
   *
   * @default 'loopwork:cache:'
   * @example new RedisTtlCache({ redis, keyPrefix: 'catalog:v2:', max: 1000, ttlMs: 60_000 })
   */
  readonly keyPrefix?: string | undefined

  /**
   * How long a value lives in Redis, in milliseconds: the shared TTL, kept by Redis itself. A finite
   * number > 0. Each `set`/`getOrLoad` may override it.
   *
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 300_000 })
   */
  readonly ttlMs: number

  /**
   * The longest a value stays fresh in this instance's memory. A value read from Redis stays no longer
   * than its remaining Redis TTL; invalidations from other instances evict it earlier.
   *
   * @default ttlMs
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 300_000, memoryTtlMs: 10_000 })
   */
  readonly memoryTtlMs?: number | undefined

  /**
   * Turns values into strings for Redis and back.
   *
   * @default JSON (`JSON.stringify` / `JSON.parse`)
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, serializer: { serialize: v8Base64, deserialize: fromV8Base64 } })
   */
  readonly serializer?: Serializer<V> | undefined

  /**
   * The longest any single Redis call may take before it counts as failed and the cache falls back to
   * memory and the loader.
   *
   * @default 500
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, operationTimeoutMs: 100 })
   */
  readonly operationTimeoutMs?: number | undefined

  /**
   * Failed Redis calls in a row after which the circuit opens: calls are skipped (memory-only) for
   * `circuitBreakerResetMs`, then one trial call decides.
   *
   * @default 5
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, circuitBreakerThreshold: 3 })
   */
  readonly circuitBreakerThreshold?: number | undefined

  /**
   * How long the circuit stays open before a trial call, in milliseconds.
   *
   * @default 5_000
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, circuitBreakerResetMs: 10_000 })
   */
  readonly circuitBreakerResetMs?: number | undefined

  /**
   * TTL of the Redis lock whose holder loads a missing key for every instance. If the holder dies, the
   * lock frees itself after this long. Keep it above your usual load time.
   *
   * @default 2_000
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, lockTtlMs: 5_000 })
   */
  readonly lockTtlMs?: number | undefined

  /**
   * How long an instance waits for another instance's load before it loads by itself (the fallback
   * for a slow or dead lock holder). `0` never waits.
   *
   * @default lockTtlMs
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, lockWaitMs: 500 })
   */
  readonly lockWaitMs?: number | undefined

  /**
   * While waiting for another instance's load, how often Redis is checked for the value.
   *
   * @default 25
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, lockPollMs: 10 })
   */
  readonly lockPollMs?: number | undefined

  /**
   * How long invalidation counters (per key and per tag) are kept. A load that runs longer than this
   * across an invalidation could write its value back; keep it far above your slowest load.
   *
   * @default 600_000
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, versionRetentionMs: 3_600_000 })
   */
  readonly versionRetentionMs?: number | undefined

  /**
   * Batch size of SCAN/SSCAN and of each UNLINK in `clear()` and `invalidateTag()`, which bounds each
   * command so a big invalidation never blocks Redis or builds a huge pipeline.
   *
   * @default 500
   * @example new RedisTtlCache({ redis, max: 1000, ttlMs: 60_000, scanCount: 1000 })
   */
  readonly scanCount?: number | undefined
}
