/**
 * `TaskQueue` with its jobs in a SQLite file, through Node's built-in `node:sqlite`: jobs survive a
 * crash or a restart, several processes on one machine share them, and `addInTransaction()` writes
 * a job in the same transaction as your own rows (an outbox). Use it when one machine is enough
 * and you want no queue server.
 *
 * @module @loopwork/background-tasks/sqlite
 */
export { DEFAULT_ADD_TIMEOUT_MS } from '../task-queue-options.js'
export {
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  type SqliteSynchronous,
  type SqliteTaskQueueOptions,
} from './sqlite-options.js'
export { TaskQueue } from './sqlite-task-queue.js'
