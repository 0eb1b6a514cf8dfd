import type { JobHandlers, TaskQueueOptions } from '../task-queue-options.js'

/** The default `lockDurationMs` of the SQLite backend: a worker's lease on a running job. */
export const DEFAULT_LOCK_DURATION_MS = 30_000
/** The default `stalledIntervalMs` of the SQLite backend: how often expired leases are looked for. */
export const DEFAULT_STALLED_INTERVAL_MS = 5_000
/** The default `pollIntervalMs`: the longest wait before work added by another connection is seen. */
export const DEFAULT_POLL_INTERVAL_MS = 50

/**
 * How an acknowledged write survives a crash, as SQLite's `synchronous` setting of the queue's
 * connection (the file is always in WAL mode).
 *
 * - `'FULL'`: every commit is synced to disk before `add()` resolves, so an acknowledged job
 *   survives a power loss or an operating-system crash. One sync per commit.
 * - `'NORMAL'`: a commit reaches the operating system before `add()` resolves and is synced at
 *   checkpoints, so an acknowledged job survives the process being killed (a crash, SIGKILL, an
 *   out-of-memory kill), but the last commits may roll back after a power loss or an
 *   operating-system crash. About four times as many commits per second.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL'

/**
 * Options of the SQLite-backed `TaskQueue`: the shared ones plus the database file, the durability
 * of its commits and how workers lease jobs.
 */
export interface SqliteTaskQueueOptions<H extends JobHandlers> extends TaskQueueOptions<H> {
  /**
   * The SQLite database file holding the jobs, created when missing. Every process that opens
   * the same file with the same queue `name` shares the jobs. To add jobs in the same transaction
   * as your own rows (`addInTransaction`), use your application's database file: the queue adds
   * its tables (`loopwork_jobs`, `loopwork_queues`, `loopwork_meta`) next to yours. A local disk
   * only: SQLite's WAL mode does not work on a network file system.
   *
   * @example new TaskQueue({ file: 'data/app.sqlite', handlers })
   */
  readonly file: string
  /**
   * Whether this process runs jobs. `false` makes a producer only: it adds jobs, reads results and
   * stats, and leaves the work to other processes on the same file.
   *
   * @default true
   * @example new TaskQueue({ file, handlers, consume: false }) // in the web process
   */
  readonly consume?: boolean | undefined
  /**
   * The durability of the queue's commits (see {@link SqliteSynchronous}). Jobs added with
   * `addInTransaction` commit with your connection's own setting.
   *
   * @default 'FULL'
   * @example new TaskQueue({ file, handlers, synchronous: 'NORMAL' })
   */
  readonly synchronous?: SqliteSynchronous | undefined
  /**
   * How long a worker's lease on a running job lasts, in milliseconds from 100 to 2,147,483,647,
   * counted from when it claimed the job; the worker renews it every third of that while the job
   * runs. A job whose worker died (or stopped renewing: a blocked event loop, a lost disk) runs
   * again once its lease ran out; a process on the same machine that died is noticed sooner, by
   * its process id.
   *
   * @default 30_000
   * @example new TaskQueue({ file, handlers, lockDurationMs: 10_000 })
   */
  readonly lockDurationMs?: number | undefined
  /**
   * How often each consuming process looks for leases that ran out (and for workers on this
   * machine that died), in milliseconds from 10 to 2,147,483,647.
   *
   * @default 5_000
   * @example new TaskQueue({ file, handlers, stalledIntervalMs: 1_000 })
   */
  readonly stalledIntervalMs?: number | undefined
  /**
   * How many times one job may be taken back from a worker that died or lost its lease before it
   * goes to the dead letters instead (a job that crashes its process must not crash every worker
   * in turn).
   *
   * @default 1
   * @example new TaskQueue({ file, handlers, maxStalledCount: 3 })
   */
  readonly maxStalledCount?: number | undefined
  /**
   * The longest wait, in milliseconds from 1 to 60,000, before this process notices jobs (and
   * results) written by another connection or process. It checks SQLite's `data_version` (a
   * read of a few microseconds) every millisecond after activity, doubling the wait while nothing
   * changes, up to this. Jobs this queue object adds itself start at once.
   *
   * @default 50
   * @example new TaskQueue({ file, handlers, pollIntervalMs: 20 })
   */
  readonly pollIntervalMs?: number | undefined
  /**
   * How long one `add()` may wait for the file's write lock (held by another process's
   * transaction), in milliseconds from 1 to 2,147,483,647, before it rejects with a
   * `TimeoutError`; nothing is enqueued then. The wait retries on the event loop: it never blocks
   * it. `Infinity` waits as long as it takes (`close()` still settles the call).
   *
   * @default 5_000
   * @example new TaskQueue({ file, handlers, addTimeoutMs: 1_000 })
   */
  readonly addTimeoutMs?: number | undefined
}
