import * as option from '@loopwork/internal/options'
import type { Redis } from 'ioredis'
import type { RedisTtlCacheOptions, Serializer } from '../../redis/types.js'
import { checkCacheOptions, tagsOption, ttlCacheSchema, ttlOption } from '../option-schemas.js'
import { jsonSerializer } from './json-serializer.js'

/** The Redis tier's options, checked, with defaults filled in. */
export interface RedisSettings<V> {
  readonly keyPrefix: string
  readonly ttlMs: number
  readonly memoryTtlMs: number
  readonly serializer: Serializer<V>
  readonly operationTimeoutMs: number
  readonly circuitBreakerThreshold: number
  readonly circuitBreakerResetMs: number
  /** Whole milliseconds: Redis takes PX and PEXPIRE as integers. */
  readonly lockTtlMs: number
  readonly lockWaitMs: number
  readonly lockPollMs: number
  /** Whole milliseconds: Redis takes PEXPIRE as an integer. */
  readonly versionRetentionMs: number
  readonly scanCount: number
}

const clientOption: option.Check<Redis> = (name, value) => {
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { evalsha?: unknown }).evalsha === 'function'
  ) {
    return value as Redis
  }
  throw option.invalid(name, value, 'an ioredis client (new Redis(url))')
}

const serializerOption: option.Check<Serializer<unknown>> = (name, value) => {
  const candidate = value as Partial<Serializer<unknown>> | null
  if (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.serialize === 'function' &&
    typeof candidate.deserialize === 'function'
  ) {
    return candidate as Serializer<unknown>
  }
  throw option.invalid(
    name,
    value,
    'an object with serialize(value) and deserialize(text) functions',
  )
}

/** A duration Redis keeps or waits for: at least 1 ms, never Infinity. */
const redisDurationOption = option.duration({ min: 1 })

/** The memory tier's options, then those of Redis. */
const redisTtlCacheSchema: option.Schema = {
  name: ttlCacheSchema.name!,
  max: ttlCacheSchema.max!,
  maxSize: ttlCacheSchema.maxSize!,
  sizeCalculation: ttlCacheSchema.sizeCalculation!,
  staleWhileRevalidateMs: ttlCacheSchema.staleWhileRevalidateMs!,
  negativeTtlMs: ttlCacheSchema.negativeTtlMs!,
  sweepIntervalMs: ttlCacheSchema.sweepIntervalMs!,
  redis: clientOption,
  subscriber: clientOption,
  keyPrefix: option.name,
  ttlMs: redisDurationOption,
  memoryTtlMs: ttlOption,
  serializer: serializerOption,
  operationTimeoutMs: redisDurationOption,
  circuitBreakerThreshold: option.integer({ min: 1 }),
  circuitBreakerResetMs: redisDurationOption,
  lockTtlMs: redisDurationOption,
  lockWaitMs: option.duration(),
  lockPollMs: redisDurationOption,
  versionRetentionMs: redisDurationOption,
  scanCount: option.integer({ min: 1 }),
}

/** Per call: a Redis TTL is finite and at least 1 ms; the rest is as for `TtlCache`. */
export const redisSetSchema: option.Schema = {
  ttlMs: redisDurationOption,
  staleWhileRevalidateMs: ttlCacheSchema.staleWhileRevalidateMs!,
  tags: tagsOption,
}

/** Per `getOrLoad` call. */
export const redisGetOrLoadSchema: option.Schema = {
  ...redisSetSchema,
  signal: option.signal,
}

/** Checks the options of a `RedisTtlCache` and fills in the Redis side's defaults. */
export function resolveRedisSettings<V>(options: RedisTtlCacheOptions<V>): RedisSettings<V> {
  checkCacheOptions('RedisTtlCache options', options, redisTtlCacheSchema)
  if (options === undefined) {
    throw option.invalid(
      'RedisTtlCache options',
      options,
      'an options object: { redis, ttlMs, max }',
    )
  }
  clientOption('redis', options.redis)
  const ioredisPrefix = options.redis.options?.keyPrefix
  if (ioredisPrefix) {
    throw option.error(
      'redis',
      `the redis client has ioredis' keyPrefix ${JSON.stringify(ioredisPrefix)}; remove it and pass keyPrefix to RedisTtlCache instead`,
    )
  }
  const ttlMs = redisDurationOption('ttlMs', options.ttlMs)
  const lockTtlMs = Math.ceil(options.lockTtlMs ?? 2_000)
  return {
    keyPrefix: options.keyPrefix ?? 'loopwork:cache:',
    ttlMs,
    memoryTtlMs: Math.min(ttlMs, options.memoryTtlMs ?? ttlMs),
    serializer: (options.serializer ?? jsonSerializer) as Serializer<V>,
    operationTimeoutMs: options.operationTimeoutMs ?? 500,
    circuitBreakerThreshold: options.circuitBreakerThreshold ?? 5,
    circuitBreakerResetMs: options.circuitBreakerResetMs ?? 5_000,
    lockTtlMs,
    lockWaitMs: options.lockWaitMs ?? lockTtlMs,
    lockPollMs: options.lockPollMs ?? 25,
    versionRetentionMs: Math.ceil(options.versionRetentionMs ?? 600_000),
    scanCount: options.scanCount ?? 500,
  }
}
