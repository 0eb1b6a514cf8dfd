import {
  booleanOption,
  durationOption,
  integerOption,
  invalidOption,
  nameOption,
  type OptionSchema,
  oneOfOption,
} from '@loopwork/internal'
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
export const sqliteQueueSchema: OptionSchema = {
  ...sharedQueueSchema,
  file: nameOption,
  consume: booleanOption,
  synchronous: oneOfOption(['FULL', 'NORMAL'] as const),
  lockDurationMs: durationOption({ min: 100 }),
  stalledIntervalMs: durationOption({ min: 10 }),
  maxStalledCount: integerOption({ min: 0 }),
  pollIntervalMs: integerOption({ min: 1, max: 60_000 }),
  addTimeoutMs: durationOption({ min: 1, infinity: true }),
}

/**
 * Resolves the SQLite-only options, already checked against {@link sqliteQueueSchema}; every
 * error names the option, the value and what is allowed.
 */
export function resolveSqliteSettings(options: SqliteTaskQueueOptions<never>): SqliteSettings {
  const file = options.file
  if (file === undefined) throw invalidOption('file', file, 'the path of a SQLite file (required)')
  if (file === ':memory:' || file.startsWith('file::memory:')) {
    throw invalidOption(
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
