import * as option from '@loopwork/internal/options'
import type { Cluster, Redis } from 'ioredis'
import type { OutageMode, RedisCapacityLimiterOptions } from '../types.js'

/** The default shared limit, the same as `CapacityLimiter`'s. */
export const DEFAULT_REDIS_TOTAL_TOKENS = 40
/** The default bound on this instance's waiting callers, the same as `CapacityLimiter`'s. */
export const DEFAULT_REDIS_MAX_WAITING = 10_000
/** The default lease: a dead holder's tokens come back within about this long. */
export const DEFAULT_LEASE_MS = 10_000
/** The default bound on one Redis call. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000
/** The default key prefix. */
export const DEFAULT_KEY_PREFIX = 'loopwork:limiter:'

const redisClient: option.Check<Redis | Cluster> = (name, value) => {
  const client = value as Partial<Redis> | null
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.evalsha !== 'function' ||
    typeof client.duplicate !== 'function'
  ) {
    throw option.invalid(name, value, 'an ioredis client (new Redis(url))')
  }
  if (client.options?.keyPrefix) {
    throw option.invalid(
      name,
      value,
      `an ioredis client without ioredis' own keyPrefix (it has ${JSON.stringify(client.options.keyPrefix)}); pass keyPrefix to RedisCapacityLimiter instead`,
    )
  }
  return value as Redis | Cluster
}

const limitName: option.Check<string> = (name, value) => {
  const limit = option.name(name, value)
  if (limit.includes('{') || limit.includes('}')) {
    throw option.invalid(name, value, 'a non-empty string without { or } (it is the hash tag)')
  }
  return limit
}

export const totalTokensOption = option.integer({ min: 1 })
export const maxWaitingOption = option.integer({ min: 0, infinity: true })

const schema: option.Schema = {
  redis: redisClient,
  name: limitName,
  totalTokens: totalTokensOption,
  maxWaiting: maxWaitingOption,
  keyPrefix: option.string,
  leaseMs: option.duration({ min: 30 }),
  commandTimeoutMs: option.duration({ min: 1 }),
  onOutage: option.oneOf<OutageMode>(['failClosed', 'failOpen']),
  fallbackTokens: option.integer({ min: 0 }),
}

/** The options, checked, with defaults filled in. */
export interface RedisSettings {
  readonly redis: Redis | Cluster
  readonly name: string
  readonly totalTokens: number
  /** Whether `totalTokens` was given (only then a different stored limit is worth a warning). */
  readonly totalTokensGiven: boolean
  readonly maxWaiting: number
  readonly keyPrefix: string
  readonly leaseMs: number
  /** How often leases and waiters are renewed: a third of the lease. */
  readonly renewEveryMs: number
  readonly commandTimeoutMs: number
  readonly onOutage: OutageMode
  readonly fallbackTokens: number
}

/** Checks the constructor's options; throws a `TypeError`/`RangeError` naming the bad option. */
export function resolveSettings(options: RedisCapacityLimiterOptions): RedisSettings {
  if (options === undefined) {
    throw option.invalid(
      'RedisCapacityLimiter options',
      options,
      'an options object with redis and name',
    )
  }
  option.check('RedisCapacityLimiter options', options, schema)
  if (options.redis === undefined)
    throw option.invalid('redis', undefined, 'an ioredis client (new Redis(url))')
  if (options.name === undefined) {
    throw option.invalid('name', undefined, "the shared limit's name, a non-empty string")
  }
  const onOutage = options.onOutage ?? 'failClosed'
  if (onOutage === 'failOpen' && options.fallbackTokens === undefined) {
    throw option.invalid(
      'fallbackTokens',
      undefined,
      "an integer from 0 (required with onOutage: 'failOpen': each instance's local limit while Redis is unreachable)",
    )
  }
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  return {
    redis: options.redis,
    name: options.name,
    totalTokens: options.totalTokens ?? DEFAULT_REDIS_TOTAL_TOKENS,
    totalTokensGiven: options.totalTokens !== undefined,
    maxWaiting: options.maxWaiting ?? DEFAULT_REDIS_MAX_WAITING,
    keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
    leaseMs,
    renewEveryMs: Math.max(10, Math.floor(leaseMs / 3)),
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    onOutage,
    fallbackTokens: onOutage === 'failOpen' ? (options.fallbackTokens ?? 0) : 0,
  }
}
