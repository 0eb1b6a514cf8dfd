import type { ConnectionOptions } from 'bullmq'
import type { JobHandlers, TaskQueueOptions } from '../task-queue-options.js'

/** The default Redis, as BullMQ's own. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379'

/** Options of the BullMQ-backed `TaskQueue`: the shared ones plus where Redis is and how workers lease jobs. */
export interface BullMQTaskQueueOptions<H extends JobHandlers> extends TaskQueueOptions<H> {
  /**
   * The queue's name in Redis; every process that uses the same name (and `prefix`) shares the jobs.
   * No `:`.
   *
   * @example new TaskQueue({ name: 'mail', handlers, connection: process.env.REDIS_URL })
   */
  readonly name: string
  /**
   * Where Redis is: a `redis://` URL, ioredis options, or an ioredis instance to share. A shared
   * instance stays yours: `close()` neither quits nor disconnects it, also when Redis is
   * unreachable, so its reconnect timer keeps running until you call `disconnect()` on it. URLs
   * and option objects get `maxRetriesPerRequest: null`, as BullMQ's workers need, and the
   * connections made from them are dropped by `close()`.
   *
   * @default 'redis://127.0.0.1:6379'
   * @example new TaskQueue({ name: 'mail', handlers, connection: 'redis://10.0.0.5:6379/2' })
   */
  readonly connection?: string | ConnectionOptions | undefined
  /**
   * The prefix of every Redis key of the queue.
   *
   * @default 'bull' (BullMQ's)
   * @example new TaskQueue({ name: 'mail', handlers, prefix: 'myapp' })
   */
  readonly prefix?: string | undefined
  /**
   * Whether this process runs jobs. `false` makes a producer only: it adds jobs, reads results and
   * stats, and leaves the work to other processes.
   *
   * @default true
   * @example new TaskQueue({ name: 'mail', handlers, consume: false }) // in the web process
   */
  readonly consume?: boolean | undefined
  /**
   * How long a worker's lease on a running job lasts, in milliseconds from 1 to 2,147,483,647; the
   * worker renews it at half this time. A job
   * whose worker died is redelivered once its lease has run out (stalled-job recovery). BullMQ's
   * `lockDuration`.
   *
   * @default 30_000
   * @example new TaskQueue({ name: 'mail', handlers, lockDurationMs: 60_000 })
   */
  readonly lockDurationMs?: number | undefined
  /**
   * How often a worker looks for jobs whose lease ran out and puts them back to waiting, in
   * milliseconds from 1 to 2,147,483,647. BullMQ's `stalledInterval`.
   *
   * @default 30_000
   * @example new TaskQueue({ name: 'mail', handlers, stalledIntervalMs: 10_000 })
   */
  readonly stalledIntervalMs?: number | undefined
  /**
   * How many times one job may be recovered from a dead worker before it is failed instead (a job
   * that keeps crashing its worker must not crash them all). BullMQ's `maxStalledCount`.
   *
   * @default 1
   * @example new TaskQueue({ name: 'mail', handlers, maxStalledCount: 3 })
   */
  readonly maxStalledCount?: number | undefined
  /**
   * `stats()` answers at once from counts read from Redis at most this many milliseconds ago
   * (0 to 2,147,483,647), and refreshes them in the background when they are older;
   * `await refreshStats()` reads them now.
   *
   * @default 1_000
   * @example new TaskQueue({ name: 'mail', handlers, statsMaxAgeMs: 5_000 })
   */
  readonly statsMaxAgeMs?: number | undefined
  /**
   * How long one `add()` may wait for Redis, in milliseconds from 1 to 2,147,483,647, before it
   * rejects with a `TimeoutError` (code `LOOPWORK_TIMEOUT`). While Redis is unreachable, ioredis
   * holds commands until it reconnects, so without a bound an `add()` would never settle. Past
   * the bound the outcome is unknown: the command may still reach Redis once it is back, so pass
   * a `jobId` to make a retry of the same job idempotent. `Infinity` waits as long as it takes
   * (`close()` still settles the call).
   *
   * @default 5_000
   * @example new TaskQueue({ name: 'mail', handlers, addTimeoutMs: 2_000 })
   */
  readonly addTimeoutMs?: number | undefined
}
