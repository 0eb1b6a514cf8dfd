import * as option from '@loopwork/internal/options'
import type { ConnectionOptions } from 'bullmq'
import { type BullMQTaskQueueOptions, DEFAULT_REDIS_URL } from '../../bullmq/bullmq-options.js'
import { DEFAULT_ADD_TIMEOUT_MS } from '../../task-queue-options.js'
import { sharedQueueSchema } from '../queue-settings.js'

/** The BullMQ-only options, checked, with defaults filled in. */
export interface BullMQSettings {
  readonly connection: ConnectionOptions
  readonly prefix: string | undefined
  readonly consume: boolean
  readonly lockDurationMs: number
  readonly stalledIntervalMs: number
  readonly maxStalledCount: number
  readonly statsMaxAgeMs: number
  readonly addTimeoutMs: number
}

/** Every option the BullMQ backend knows: the shared ones and its own. */
export const bullMQQueueSchema: option.Schema = {
  ...sharedQueueSchema,
  // Checked by toConnection: a URL, ioredis options or an ioredis instance.
  connection: option.any,
  prefix: option.name,
  consume: option.boolean,
  lockDurationMs: option.duration({ min: 1 }),
  stalledIntervalMs: option.duration({ min: 1 }),
  maxStalledCount: option.integer({ min: 0 }),
  statsMaxAgeMs: option.duration(),
  addTimeoutMs: option.duration({ min: 1, infinity: true }),
}

/**
 * Resolves the BullMQ-only options, already checked against {@link bullMQQueueSchema}; every error
 * names the option, the value and what is allowed.
 */
export function resolveBullMQSettings(options: BullMQTaskQueueOptions<never>): BullMQSettings {
  const prefix = options.prefix
  if (prefix?.includes(':')) throw option.invalid('prefix', prefix, 'a prefix without ":"')
  return {
    connection: toConnection(options.connection),
    prefix,
    consume: options.consume ?? true,
    lockDurationMs: options.lockDurationMs ?? 30_000,
    stalledIntervalMs: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 1,
    statsMaxAgeMs: options.statsMaxAgeMs ?? 1_000,
    addTimeoutMs: options.addTimeoutMs ?? DEFAULT_ADD_TIMEOUT_MS,
  }
}

function toConnection(connection: unknown): ConnectionOptions {
  if (connection === undefined) return { url: DEFAULT_REDIS_URL, maxRetriesPerRequest: null }
  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw option.invalid('connection', connection, 'a redis:// or rediss:// URL')
    }
    return { url: connection, maxRetriesPerRequest: null }
  }
  if (typeof connection !== 'object' || connection === null) {
    throw option.invalid(
      'connection',
      connection,
      'a Redis URL, ioredis options or an ioredis instance',
    )
  }
  // A client instance is shared as it is; only plain options are completed.
  if (typeof (connection as { duplicate?: unknown }).duplicate === 'function') {
    return connection as ConnectionOptions
  }
  return { maxRetriesPerRequest: null, ...(connection as object) } as ConnectionOptions
}
