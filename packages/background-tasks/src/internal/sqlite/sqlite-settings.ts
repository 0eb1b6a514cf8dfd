import * as option from '@loopwork/internal/options'
import {
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  type SqliteSynchronous,
  type SqliteTaskQueueOptions,
} from '../../sqlite/sqlite-options.js'
import { DEFAULT_ADD_TIMEOUT_MS } from '../../task-queue-options.js'
import { sharedQueueSchema } from '../queue-settings.js'

/** The SQLite-only options, checked, with defaults filled in. */
export interface SqliteSettings {
  readonly file: string
  readonly consume: boolean
  readonly synchronous: SqliteSynchronous
  readonly lockDurationMs: number
  readonly stalledIntervalMs: number
  readonly maxStalledCount: number
  readonly pollIntervalMs: number
  readonly addTimeoutMs: number
}

/** Every option the SQLite backend knows: the shared ones and its own. */
export const sqliteQueueSchema: option.Schema = {
  ...sharedQueueSchema,
  file: option.name,
  consume: option.boolean,
  synchronous: option.oneOf(['FULL', 'NORMAL'] as const),
  lockDurationMs: option.duration({ min: 100 }),
  stalledIntervalMs: option.duration({ min: 10 }),
  maxStalledCount: option.integer({ min: 0 }),
  pollIntervalMs: option.integer({ min: 1, max: 60_000 }),
  addTimeoutMs: option.duration({ min: 1, infinity: true }),
}

/**
 * Resolves the SQLite-only options, already checked against {@link sqliteQueueSchema}; every
 * error names the option, the value and what is allowed.
 */
export function resolveSqliteSettings(options: SqliteTaskQueueOptions<never>): SqliteSettings {
  const file = options.file
  if (file === undefined) throw option.invalid('file', file, 'the path of a SQLite file (required)')
  if (file === ':memory:' || file.startsWith('file::memory:')) {
    throw option.invalid(
      'file',
      file,
      'the path of a SQLite file on disk (an in-memory database neither survives a restart nor is shared; use the in-memory TaskQueue instead)',
    )
  }
  return {
    file,
    consume: options.consume ?? true,
    synchronous: options.synchronous ?? 'FULL',
    lockDurationMs: options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS,
    stalledIntervalMs: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: options.maxStalledCount ?? 1,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    addTimeoutMs: options.addTimeoutMs ?? DEFAULT_ADD_TIMEOUT_MS,
  }
}
