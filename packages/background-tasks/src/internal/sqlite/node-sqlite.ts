import { createRequire } from 'node:module'
import type * as NodeSqlite from 'node:sqlite'

/** The first Node.js release line with `node:sqlite` available without a flag. */
export const NODE_SQLITE_SINCE = '22.13.0'

/**
 * Loads `node:sqlite`, or throws an error that says what is missing and what to do: the module is
 * built into Node.js, unflagged from 22.13 (and 23.4); older releases either lack it or need
 * `--experimental-sqlite`, and `--no-experimental-sqlite` turns it off. A static import would fail
 * with a bare "No such built-in module" instead. `load` exists for tests.
 */
export function loadNodeSqlite(
  load: (specifier: string) => unknown = createRequire(import.meta.url),
): typeof NodeSqlite {
  try {
    return load('node:sqlite') as typeof NodeSqlite
  } catch (error) {
    throw new Error(
      `@loopwork/background-tasks/sqlite needs the node:sqlite module, built into Node.js ${NODE_SQLITE_SINCE} and later without a flag, but this Node.js (${process.version}) does not provide it${process.execArgv.includes('--no-experimental-sqlite') ? ' (--no-experimental-sqlite turned it off)' : ''}. Upgrade Node.js, or use the in-memory TaskQueue from @loopwork/background-tasks or the one from @loopwork/background-tasks/bullmq`,
      { cause: error },
    )
  }
}

/** `node:sqlite`, loaded once, when this subpath is imported. */
export const nodeSqlite: typeof NodeSqlite = loadNodeSqlite()
