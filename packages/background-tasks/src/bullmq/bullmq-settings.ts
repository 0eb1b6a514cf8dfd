import type { ConnectionOptions } from 'bullmq'
import {
  assertInteger,
  assertOptionalMilliseconds,
  assertOptionalName,
  describe,
  invalid,
} from '../option-validation.js'
import type { BullMQTaskQueueOptions } from './bullmq-options.js'

/** The default Redis, as BullMQ's own. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

/** The BullMQ-only options, checked, with defaults filled in. */
export interface BullMQSettings {
  readonly connection: ConnectionOptions
  readonly prefix: string | undefined
  readonly consume: boolean
  readonly lockDurationMs: number
  readonly stalledIntervalMs: number
  readonly maxStalledCount: number
  readonly statsMaxAgeMs: number
}

/** Checks the BullMQ-only options; every error names the option, the value and what is allowed. */
export function resolveBullMQSettings(options: BullMQTaskQueueOptions<never>): BullMQSettings {
  if (options.consume !== undefined && typeof options.consume !== 'boolean') {
    throw invalid(options.consume, `consume must be a boolean, got ${describe(options.consume)}`)
  }
  const prefix = assertOptionalName('prefix', options.prefix)
  if (prefix?.includes(':'))
    throw invalid(prefix, `prefix must not contain ":", got ${describe(prefix)}`)
  return {
    connection: toConnection(options.connection),
    prefix,
    consume: options.consume ?? true,
    lockDurationMs: positive('lockDurationMs', options.lockDurationMs, 30_000),
    stalledIntervalMs: positive('stalledIntervalMs', options.stalledIntervalMs, 30_000),
    maxStalledCount: assertInteger('maxStalledCount', options.maxStalledCount ?? 1, 0),
    statsMaxAgeMs: assertOptionalMilliseconds('statsMaxAgeMs', options.statsMaxAgeMs) ?? 1_000,
  }
}

function positive(option: string, value: unknown, fallback: number): number {
  const milliseconds = assertOptionalMilliseconds(option, value) ?? fallback
  if (milliseconds < 1)
    throw invalid(milliseconds, `${option} must be at least 1 millisecond, got 0`)
  return milliseconds
}

function toConnection(connection: unknown): ConnectionOptions {
  if (connection === undefined) return { url: DEFAULT_REDIS_URL, maxRetriesPerRequest: null }
  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw invalid(
        connection,
        `connection must be a redis:// or rediss:// URL, got ${describe(connection)}`,
      )
    }
    return { url: connection, maxRetriesPerRequest: null }
  }
  if (typeof connection !== 'object' || connection === null) {
    throw invalid(
      connection,
      `connection must be a Redis URL, ioredis options or an ioredis instance, got ${describe(connection)}`,
    )
  }
  // A client instance is shared as it is; only plain options are completed.
  if (typeof (connection as { duplicate?: unknown }).duplicate === 'function') {
    return connection as ConnectionOptions
  }
  return { maxRetriesPerRequest: null, ...(connection as object) } as ConnectionOptions
}
