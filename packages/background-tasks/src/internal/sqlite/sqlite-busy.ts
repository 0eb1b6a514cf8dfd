/** SQLite's primary result codes for "another connection holds the lock" (BUSY) and "locked". */
const SQLITE_BUSY = 5
const SQLITE_LOCKED = 6

/**
 * Whether `error` is SQLite's "database is locked": another connection holds the write lock past
 * the busy timeout (`SQLITE_BUSY`), or a deferred transaction read a snapshot that another
 * connection's commit made stale (`SQLITE_BUSY_SNAPSHOT`, which fails at once whatever the busy
 * timeout). Extended codes carry the primary code in their low byte.
 */
export function isBusyError(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode
  if (typeof code !== 'number') return false
  const primary = code & 0xff
  return primary === SQLITE_BUSY || primary === SQLITE_LOCKED
}

/**
 * How long one statement of the queue's own connection waits for the write lock before it fails
 * with "database is locked" and is retried later on the event loop. node:sqlite is synchronous: a
 * longer busy timeout would block the event loop (every timer, every request) for its length.
 */
export const BUSY_TIMEOUT_MS = 20

/** The next wait before retrying after "database is locked": doubling from 2 ms, at most 100 ms, jittered. */
export function busyRetryDelay(attempt: number): number {
  const ceiling = Math.min(100, 2 * 2 ** Math.min(attempt, 6))
  return Math.ceil(ceiling / 2 + Math.random() * (ceiling / 2))
}
