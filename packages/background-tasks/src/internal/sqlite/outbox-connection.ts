import { realpathSync } from 'node:fs'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { describeValue } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { FIND_KEY_SQL, INSERT_JOB_SQL } from './job-statements.js'

/** What the queue prepares on a caller's connection to write jobs inside the caller's transactions. */
export interface OutboxConnection {
  readonly insert: StatementSync
  readonly findKey: StatementSync
}

/** SQLite's `synchronous` levels by name. */
const synchronousLevels = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 } as const

/** The main database file a connection has open, '' for an in-memory or temporary one. */
export function mainFileOf(database: DatabaseSync): string {
  const rows = database.prepare('PRAGMA database_list').all() as { name: string; file: string }[]
  return rows.find((row) => row.name === 'main')?.file ?? ''
}

/** The same file under two spellings (a symlink, a relative path) compares equal. */
export function canonicalFile(file: string): string {
  try {
    return realpathSync(file)
  } catch {
    return file
  }
}

/**
 * Checks a caller's connection once and prepares the queue's statements on it: it must be a
 * `DatabaseSync` open on the queue's own file (a job written through an ATTACHed file would not
 * commit atomically with the caller's rows in WAL mode, nor would a job in another file ever be
 * seen by the queue). Warns once when the connection syncs less than the queue does, since the
 * jobs it writes commit with the connection's own setting.
 */
export function prepareOutbox(
  database: DatabaseSync,
  queueName: string,
  queueFile: string,
  queueSynchronous: keyof typeof synchronousLevels,
): OutboxConnection {
  if (
    typeof database !== 'object' ||
    database === null ||
    typeof (database as { prepare?: unknown }).prepare !== 'function'
  ) {
    throw option.invalid('database', database, 'a DatabaseSync from node:sqlite')
  }
  const file = mainFileOf(database)
  if (file === '' || canonicalFile(file) !== queueFile) {
    throw option.invalid(
      'database',
      database,
      `a connection open on the queue's own file ${JSON.stringify(queueFile)} (this one is open on ${file === '' ? 'an in-memory database' : JSON.stringify(file)}); jobs written anywhere else would not commit with the queue, and ATTACHed files are not committed atomically in WAL mode`,
      false,
    )
  }
  const level = (database.prepare('PRAGMA synchronous').get() as { synchronous: number })
    .synchronous
  if (level < synchronousLevels[queueSynchronous]) {
    process.emitWarning(
      `Task queue "${queueName}" adds jobs through a connection with synchronous=${describeLevel(level)}, weaker than the queue's synchronous=${queueSynchronous}: those jobs commit with the connection's setting (a power loss may undo the last commits). Run "PRAGMA synchronous = ${queueSynchronous}" on it, or give the queue synchronous: '${describeLevel(level)}'`,
      { code: 'LOOPWORK_WEAK_SYNCHRONOUS' },
    )
  }
  return { insert: database.prepare(INSERT_JOB_SQL), findKey: database.prepare(FIND_KEY_SQL) }
}

function describeLevel(level: number): string {
  const name = Object.entries(synchronousLevels).find(([, value]) => value === level)?.[0]
  return name ?? describeValue(level)
}
