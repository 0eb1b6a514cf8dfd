import type { Redis } from 'ioredis'
import {
  assertDuration,
  assertOptionalDuration,
  assertOptionalPositiveInteger,
  assertPositiveFiniteDuration,
} from '../option-validation.js'
import type { RedisTtlCacheOptions } from './redis-ttl-cache-options.js'
import { jsonSerializer, type Serializer } from './serializer.js'

/** The Redis tier's options, validated, with defaults filled in. */
export interface RedisSettings<V> {
  readonly keyPrefix: string
  readonly ttlMs: number
  readonly memoryTtlMs: number
  readonly serializer: Serializer<V>
  readonly operationTimeoutMs: number
  readonly circuitBreakerThreshold: number
  readonly circuitBreakerResetMs: number
  readonly lockTtlMs: number
  readonly lockWaitMs: number
  readonly lockPollMs: number
  readonly versionRetentionMs: number
  readonly scanCount: number
}

/** Validates the options that concern Redis, throwing an error that names the bad option. */
export function resolveRedisSettings<V>(options: RedisTtlCacheOptions<V>): RedisSettings<V> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('RedisTtlCache needs options: { redis, ttlMs, max }')
  }
  assertClient('redis', options.redis)
  if (options.subscriber !== undefined) assertClient('subscriber', options.subscriber)
  if (options.redis.options?.keyPrefix) {
    throw new TypeError(
      `the redis client has ioredis' keyPrefix ${JSON.stringify(options.redis.options.keyPrefix)}; remove it and pass keyPrefix to RedisTtlCache instead`,
    )
  }
  const keyPrefix = options.keyPrefix ?? 'loopwork:cache:'
  if (typeof keyPrefix !== 'string' || keyPrefix === '') {
    throw new TypeError(
      `keyPrefix must be a non-empty string, got ${typeof keyPrefix === 'string' ? '""' : String(keyPrefix)}`,
    )
  }
  const ttlMs = assertPositiveFiniteDuration('ttlMs', options.ttlMs)
  const lockTtlMs = assertPositiveFiniteDuration('lockTtlMs', options.lockTtlMs ?? 2_000)
  return {
    keyPrefix,
    ttlMs,
    memoryTtlMs: Math.min(
      ttlMs,
      assertOptionalDuration('memoryTtlMs', options.memoryTtlMs) ?? ttlMs,
    ),
    serializer: resolveSerializer<V>(options.serializer),
    operationTimeoutMs: assertPositiveFiniteDuration(
      'operationTimeoutMs',
      options.operationTimeoutMs ?? 500,
    ),
    circuitBreakerThreshold:
      assertOptionalPositiveInteger('circuitBreakerThreshold', options.circuitBreakerThreshold) ??
      5,
    circuitBreakerResetMs: assertPositiveFiniteDuration(
      'circuitBreakerResetMs',
      options.circuitBreakerResetMs ?? 5_000,
    ),
    lockTtlMs,
    lockWaitMs: finite('lockWaitMs', assertDuration('lockWaitMs', options.lockWaitMs ?? lockTtlMs)),
    lockPollMs: assertPositiveFiniteDuration('lockPollMs', options.lockPollMs ?? 25),
    versionRetentionMs: assertPositiveFiniteDuration(
      'versionRetentionMs',
      options.versionRetentionMs ?? 600_000,
    ),
    scanCount: assertOptionalPositiveInteger('scanCount', options.scanCount) ?? 500,
  }
}

function assertClient(option: string, client: Redis | undefined): void {
  if (client === null || typeof client !== 'object' || typeof client.evalsha !== 'function') {
    throw new TypeError(
      `${option} must be an ioredis client (new Redis(url)), got ${String(client)}`,
    )
  }
}

function resolveSerializer<V>(serializer: Serializer<V> | undefined): Serializer<V> {
  if (serializer === undefined) return jsonSerializer as Serializer<V>
  if (typeof serializer?.serialize !== 'function' || typeof serializer.deserialize !== 'function') {
    throw new TypeError('serializer must have serialize(value) and deserialize(text) functions')
  }
  return serializer
}

function finite(option: string, value: number): number {
  if (!Number.isFinite(value)) {
    throw new RangeError(`${option} must be a finite number of milliseconds >= 0, got ${value}`)
  }
  return value
}
