export { DEFAULT_ADD_TIMEOUT_MS } from '../task-queue-options.js'
export {
  type AddInTransactionOptions,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  type SqliteConnection,
  type SqliteSynchronous,
  type SqliteTaskQueueOptions,
} from './sqlite-options.js'
export { TaskQueue } from './sqlite-task-queue.js'
