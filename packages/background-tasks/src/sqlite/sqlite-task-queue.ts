import { AsyncLocalStorage } from 'node:async_hooks'
import type { DatabaseSync } from 'node:sqlite'
import { abortErrorFor, adoptThenable, isThenable, TimeoutError } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import {
  DatabaseBusyError,
  JobFailedError,
  JobNotFoundError,
  LeaseLostError,
  UnrecoverableJobError,
} from '../errors.js'
import { AttemptContext } from '../internal/attempt-context.js'
import { settleWithin } from '../internal/attempt-timeout.js'
import { backoffDelay } from '../internal/backoff.js'
import { deadlinePassed } from '../internal/deadline-passed.js'
import { emitSafely } from '../internal/error-reporting.js'
import { reportJobFailure } from '../internal/job-failure-report.js'
import { queueFullError } from '../internal/job-request.js'
import { IDLE_EVENT, reportQueueError } from '../internal/queue-events.js'
import { concurrencyOption, resolveQueueSettings } from '../internal/queue-settings.js'
import { ResultWaiter, resultAbortMessage } from '../internal/result-waiter.js'
import { JobStatements, type QueueCountsRow } from '../internal/sqlite/job-statements.js'
import { newLeaseOwner, ownerIsGone } from '../internal/sqlite/lease-owner.js'
import { nodeSqlite } from '../internal/sqlite/node-sqlite.js'
import {
  canonicalFile,
  mainFileOf,
  type OutboxConnection,
  prepareOutbox,
} from '../internal/sqlite/outbox-connection.js'
import { BUSY_TIMEOUT_MS, busyRetryDelay, isBusyError } from '../internal/sqlite/sqlite-busy.js'
import { JobState, migrate } from '../internal/sqlite/sqlite-schema.js'
import {
  resolveSqliteSettings,
  type SqliteSettings,
  sqliteQueueSchema,
} from '../internal/sqlite/sqlite-settings.js'
import {
  type ClaimedRow,
  deadLetterOf,
  jobInfoOf,
  publicId,
  restoreError,
  restoreResult,
  type StoredRow,
  type SweptRow,
  storeError,
  storeResult,
} from '../internal/sqlite/stored-job.js'
import { TaskQueueBase } from '../internal/task-queue-base.js'
import type {
  AddArguments,
  AddJobOptions,
  CloseOptions,
  CloseReport,
  DeadLetter,
  JobHandlers,
  JobId,
  JobInfo,
  JobName,
  TaskQueueApi,
  TaskQueueStats,
} from '../task-queue-options.js'
import type { SqliteTaskQueueOptions } from './sqlite-options.js'

/** The `maxWaiting` the insert compares with when the option sets no bound. */
const NO_BOUND = Number.MAX_SAFE_INTEGER
/** The busy timeout of the last writes of `close()`, which may block the event loop (it is closing). */
const CLOSING_BUSY_TIMEOUT_MS = 2_000
/** The most AsyncLocalStorage contexts kept for jobs added here and not yet started here. */
const MAX_REMEMBERED_CONTEXTS = 10_000
/** The longest wait before retrying after an error other than "database is locked". */
const MAX_ERROR_BACKOFF_MS = 1_000

/** Runs a function in the AsyncLocalStorage context captured when the job was added. */
type ContextRunner = <R>(fn: (...args: unknown[]) => R, ...args: unknown[]) => R

/** A job this process claimed and is running. */
interface RunningJob {
  readonly row: ClaimedRow
  readonly token: number
  readonly context: AttemptContext
  /** When the lease runs out, as this process last renewed it. */
  leaseExpiresAt: number
  /** Set once the attempt's outcome is decided (or it was cut off): later outcomes are ignored. */
  ended: boolean
}

/** An attempt's outcome, written in the next write transaction. */
type Outcome =
  | { readonly kind: 'complete'; readonly job: RunningJob; readonly value: unknown }
  | {
      readonly kind: 'retry'
      readonly job: RunningJob
      readonly error: unknown
      readonly delayMs: number
    }
  | { readonly kind: 'dead'; readonly job: RunningJob; readonly error: unknown }
  | { readonly kind: 'handBack'; readonly job: RunningJob }

/** An `add()` waiting for the next write (adds made together commit together). */
interface PendingInsert {
  readonly name: string
  readonly jobId: string | undefined
  readonly params: readonly (string | number | null)[]
  readonly runAt: number
  readonly deadline: number
  readonly context: ContextRunner | undefined
  readonly resolve: (id: string) => void
  readonly reject: (error: unknown) => void
}

/** What one committed write did, for acknowledging and reporting it. */
interface Written {
  readonly inserts: PendingInsert[]
  /** The row id of each insert, `undefined` where nothing was inserted (full, or a known jobId). */
  readonly ids: (number | undefined)[]
  readonly outcomes: Outcome[]
  /** Per outcome: `false` when its lease was no longer ours and nothing was written. */
  readonly applied: boolean[]
  readonly claimed: ClaimedRow[]
  readonly token: number
}

/**
 * The `TaskQueue` interface on a SQLite file through Node's built-in `node:sqlite`, for jobs that
 * must survive a crash or a restart without running a server: every process that opens the same
 * file with the same `name` shares the jobs, and each one with `consume` (the default) runs them
 * with `concurrency` workers. Retries, backoff, delays, priorities, dead letters and `jobId`
 * deduplication live in the file.
 *
 * At least once: a worker holds a lease on each job it runs (`lockDurationMs`, renewed while the
 * job runs); a job whose worker died runs again once the lease ran out (at once when the dead
 * worker was a process on this machine), so make handlers idempotent. `addInTransaction()` writes
 * a job with your own connection, inside your transaction: it commits or rolls back with your
 * rows (the outbox pattern).
 *
 * Every call is synchronous SQLite work of microseconds; "database is locked" is retried on the
 * event loop rather than waited for. A consuming queue keeps the process alive until `close()`,
 * as a worker does.
 *
 * @example
 * import { TaskQueue } from '@loopwork/background-tasks/sqlite'
 *
 * const queue = new TaskQueue({
 *   file: 'data/app.sqlite',
 *   name: 'mail',
 *   handlers: { sendEmail: async (mail: { to: string }, job) => send(mail, job.signal) },
 *   concurrency: 4,
 *   retries: 3,
 * })
 * const id = await queue.add('sendEmail', { to: 'a@b.c' })
 */
export class TaskQueue<H extends JobHandlers> extends TaskQueueBase<H> implements TaskQueueApi<H> {
  /** The database file, as SQLite resolved it. */
  readonly file: string
  readonly #sqlite: SqliteSettings
  readonly #database: DatabaseSync
  readonly #statements: JobStatements
  readonly #owner = newLeaseOwner().id
  readonly #running = new Map<number, RunningJob>()
  readonly #contexts = new Map<number, ContextRunner>()
  readonly #waiters = new Map<string, Set<ResultWaiter>>()
  readonly #outboxes = new WeakMap<DatabaseSync, OutboxConnection>()
  #concurrency: number
  #outcomes: Outcome[] = []
  #inserts: PendingInsert[] = []
  #writeScheduled = false
  #idleWaiters: (() => void)[] = []
  #closed = false
  #onQuiet: (() => void) | undefined
  #busySinceIdle = false
  #lastStats: TaskQueueStats
  // Scheduling: one immediate (work to do now) and one timer (the next poll, lease renewal, sweep
  // or delayed job, whichever comes first).
  #immediate: ReturnType<typeof setImmediate> | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #pollDelay = 1
  #dataVersion = -1
  #workMayBeReady = true
  #nextRunAt = Number.POSITIVE_INFINITY
  #nextRenewAt = Number.POSITIVE_INFINITY
  #nextSweepAt = 0
  #writesBlockedUntil = 0
  #writeFailures = 0

  /**
   * Opens (and on first use creates) the file, adds the queue's tables when missing, and, unless
   * `consume` is `false`, starts taking jobs at once. Throws a `TypeError` or `RangeError` (code
   * `LOOPWORK_INVALID_OPTION`) naming the option for a bad or unknown option, and SQLite's own
   * error when the file cannot be opened.
   */
  constructor(options: SqliteTaskQueueOptions<H>) {
    super(resolveQueueSettings('SQLite TaskQueue options', options, sqliteQueueSchema, 'tasks'))
    this.#sqlite = resolveSqliteSettings(options as SqliteTaskQueueOptions<never>)
    this.#concurrency = this.settings.concurrency
    const database = new nodeSqlite.DatabaseSync(this.#sqlite.file)
    try {
      // PRAGMA rather than the constructor's `timeout` option, which Node 22.13 to 22.15 ignore.
      database.exec(`PRAGMA busy_timeout = ${CLOSING_BUSY_TIMEOUT_MS}`)
      database.exec('PRAGMA journal_mode = WAL')
      database.exec(`PRAGMA synchronous = ${this.#sqlite.synchronous}`)
      migrate(database, this.#sqlite.file, this.name)
      database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
      this.#statements = new JobStatements(database)
    } catch (error) {
      database.close()
      throw error
    }
    this.#database = database
    this.file = canonicalFile(mainFileOf(database))
    this.#lastStats = this.#snapshotOf(undefined, 0)
    this.#dataVersion = this.#readDataVersion()
    this.#runSoon()
  }

  /** How many jobs this process runs at once; raising it takes more jobs at once. */
  get concurrency(): number {
    return this.#concurrency
  }

  /** Sets how many jobs this process runs at once (an integer from 1); throws for anything else. */
  set concurrency(value: number) {
    this.#concurrency = concurrencyOption('concurrency', value)
    this.#workMayBeReady = true
    this.#runSoon()
  }

  /** Queues a checked job for the next write, which commits the adds of this turn together. */
  protected override accept(
    name: string,
    data: unknown,
    options: AddJobOptions | undefined,
  ): Promise<string> {
    const now = Date.now()
    const runAt = now + (options?.delayMs ?? 0)
    const { promise, resolve, reject } = Promise.withResolvers<string>()
    this.#inserts.push({
      name,
      jobId: options?.jobId,
      params: this.#insertParameters(name, data, options, runAt, now),
      runAt,
      deadline: now + this.#sqlite.addTimeoutMs,
      context: this.#sqlite.consume ? AsyncLocalStorage.snapshot() : undefined,
      resolve,
      reject,
    })
    if (!this.#writeScheduled) {
      this.#writeScheduled = true
      queueMicrotask(this.#writeSoon)
    }
    return promise
  }

  /**
   * Writes a job with your own connection `database` (a `DatabaseSync` open on the queue's file),
   * synchronously, and returns its id: inside your open transaction, the job commits or rolls back
   * with your rows (the outbox pattern); outside one, it commits at once. Workers see it once it
   * is committed (at once in this process when written outside a transaction or through
   * `transaction()`, otherwise within `pollIntervalMs`).
   *
   * Throws, with nothing written, what `add()` rejects with (`UnknownJobError`, `JobDataError`,
   * option errors, `QueueFullError`, `ClosedError`), a `TypeError` (code
   * `LOOPWORK_INVALID_OPTION`, option `database`) for a connection on another file, and
   * `DatabaseBusyError` when the write lock could not be taken: then roll your transaction back
   * and run it again. Never `await` between `BEGIN` and `COMMIT` on a connection other code
   * shares: its statements would run inside your transaction.
   *
   * @example
   * database.exec('BEGIN IMMEDIATE')
   * try {
   *   const order = insertOrder.get(item, quantity) as { id: number }
   *   queue.addInTransaction(database, 'fulfil', { orderId: order.id }, { jobId: `fulfil-${order.id}` })
   *   database.exec('COMMIT')
   * } catch (error) {
   *   database.exec('ROLLBACK')
   *   throw error
   * }
   */
  addInTransaction<N extends JobName<H>>(
    database: DatabaseSync,
    name: N,
    ...rest: AddArguments<H, N>
  ): JobId<N>
  addInTransaction(
    database: DatabaseSync,
    name: string,
    data?: unknown,
    options?: AddJobOptions,
  ): string {
    const payload = this.checkedData(name, data, options)
    const outbox = this.#outboxOf(database)
    const now = Date.now()
    const runAt = now + (options?.delayMs ?? 0)
    const jobId = options?.jobId
    let row: { id: number } | undefined
    try {
      row = outbox.insert.get(...this.#insertParameters(name, payload, options, runAt, now)) as
        | { id: number }
        | undefined
      if (row === undefined && jobId !== undefined && outbox.findKey.get(this.name, jobId)) {
        return jobId
      }
    } catch (error) {
      if (isBusyError(error)) throw this.#busyError('addInTransaction()', error)
      throw error
    }
    if (row === undefined) throw queueFullError(this.settings)
    this.#nextRunAt = Math.min(this.#nextRunAt, runAt)
    // The caller's commit is another connection's: it changes this connection's data_version,
    // which the next check (soon, and then every poll) notices.
    this.#pollDelay = 1
    this.#runSoon()
    return jobId ?? String(row.id)
  }

  /**
   * Runs `fn` in an immediate transaction on your connection `database` and commits, or rolls
   * back and rethrows when `fn` throws; returns what `fn` returned. Jobs `fn` adds with
   * `addInTransaction(database, ...)` start in this process as soon as it commits. `fn` must be
   * synchronous: one that returns a promise or another thenable is refused (rolled back, then a
   * `TypeError`), because whatever it awaits would run outside the transaction. Throws
   * `DatabaseBusyError` when the write lock could not be taken.
   *
   * @example
   * const orderId = queue.transaction(database, () => {
   *   const order = insertOrder.get(item, quantity) as { id: number }
   *   queue.addInTransaction(database, 'fulfil', { orderId: order.id })
   *   return order.id
   * })
   */
  transaction<T>(database: DatabaseSync, fn: () => T): T {
    if (typeof fn !== 'function') throw option.invalid('transaction() fn', fn, 'a function')
    this.#outboxOf(database)
    try {
      database.exec('BEGIN IMMEDIATE')
    } catch (error) {
      if (isBusyError(error)) throw this.#busyError('transaction()', error)
      throw error
    }
    let value: T
    try {
      value = fn()
      if (isThenable(value)) {
        throw option.invalid(
          'transaction() fn',
          value,
          'a synchronous function (what it awaits would run outside the transaction; it was rolled back)',
          false,
        )
      }
      database.exec('COMMIT')
    } catch (error) {
      rollBack(database)
      if (isBusyError(error)) throw this.#busyError('transaction()', error)
      throw error
    }
    this.#workMayBeReady = true
    this.#pollDelay = 1
    this.#runSoon()
    return value
  }

  /** Answers from the job's row: at once when it finished, else once a write or a check sees it finish. */
  protected override resultOf(id: string, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.closing.started) throw this.closing.error()
    if (signal?.aborted) throw abortErrorFor(resultAbortMessage(this.name, id), signal)
    const row = this.#find(String(id))
    if (row === undefined) return Promise.reject(new JobNotFoundError(this.name, String(id)))
    if (row.state === JobState.Completed) return Promise.resolve(restoreResult(row.result))
    if (row.state === JobState.Dead) return Promise.reject(this.#failedError(row))
    return this.#waitFor(String(id), signal)
  }

  /**
   * A snapshot, read from the file: `waiting`, `delayed`, `running` and `deadLetters` are
   * queue-wide (every process on the file); `completed`, `failed` and `retried` count what this
   * queue object did. After `close()`, the last snapshot.
   */
  stats(): TaskQueueStats {
    if (this.#closed) return this.#lastStats
    try {
      const counts = this.#statements.counts.get(this.name) as QueueCountsRow | undefined
      const delayed = (this.#statements.delayed.get(this.name, Date.now()) as { count: number })
        .count
      this.#lastStats = this.#snapshotOf(counts, delayed)
    } catch (error) {
      this.#reportError('reading the stats', error)
    }
    return this.#lastStats
  }

  /** The same as `stats()` (it already reads the file); exists so code written for BullMQ works unchanged. */
  refreshStats(): Promise<TaskQueueStats> {
    return Promise.resolve(this.stats())
  }

  /** The jobs that failed for good and are still retained in the file (`maxDeadLetters`), oldest first. */
  deadLetters(): Promise<DeadLetter[]> {
    if (this.#closed) return Promise.reject(this.closing.error())
    try {
      const rows = this.#statements.deadLetters.all(
        this.name,
        this.settings.maxDeadLetters,
      ) as unknown as StoredRow[]
      return Promise.resolve(rows.map(deadLetterOf))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Resolves once no job is waiting, delayed or running in the queue (every process); at once after `close()`. */
  onIdle(): Promise<void> {
    if (this.closing.started) return Promise.resolve()
    if (this.#idle()) return Promise.resolve()
    const { promise, resolve } = Promise.withResolvers<void>()
    this.#idleWaiters.push(resolve)
    this.#plan(Date.now(), false)
    return promise
  }

  /** Stops this process from taking jobs; running ones go on, other processes are unaffected. */
  pause(): void {
    this.paused = true
  }

  /** Lets this process take jobs again. */
  resume(): void {
    this.paused = false
    this.#workMayBeReady = true
    this.#runSoon()
  }

  /**
   * Graceful shutdown, bounded: refuses new jobs, stops taking jobs, lets running jobs finish until
   * `timeoutMs`, then aborts them through their signal and puts them back in the file as ready
   * (with the attempt they were on, for the next worker or the next start), writes every outcome,
   * and closes the connection. Resolves with `{ timedOut, aborted, notStarted }`: `notStarted`
   * lists every job of the queue left ready in the file (waiting, delayed or in backoff; they run
   * on the next start or in another process). Pending `add()`s that could not be written and
   * `result()` waits end with a `ClosedError`. Calling it again returns the same promise. Rejects
   * only for bad options.
   */
  close(options?: CloseOptions): Promise<CloseReport> {
    return this.closing.close(options, (timeoutMs) => this.#shutDown(timeoutMs))
  }

  // ---------------------------------------------------------------------------------------------
  // Adding

  #insertParameters(
    name: string,
    data: unknown,
    options: AddJobOptions | undefined,
    runAt: number,
    now: number,
  ): (string | number | null)[] {
    const maxWaiting = this.settings.maxWaiting
    return [
      this.name,
      options?.jobId ?? null,
      name,
      JSON.stringify(data),
      options?.priority ?? 0,
      runAt,
      (options?.retries ?? this.settings.retries) + 1,
      now,
      this.name,
      maxWaiting === Number.POSITIVE_INFINITY ? NO_BOUND : maxWaiting,
    ]
  }

  /**
   * Writes the adds of this turn together with the finished attempts and the claims for free
   * slots: one commit (one disk sync) for all of them, so a job added to an idle queue is stored
   * and claimed by one commit.
   */
  readonly #writeSoon = (): void => {
    this.#writeScheduled = false
    if (this.#closed) {
      for (const insert of this.#inserts.splice(0)) insert.reject(this.closing.error())
      return
    }
    const now = Date.now()
    this.#applyWrite(this.#write(now), now)
    this.#plan(now, true)
  }

  /** Fails the pending adds whose `addTimeoutMs` ran out while the write lock was busy. */
  #expireInserts(now: number): void {
    if (this.#inserts.length === 0 || this.#inserts[0]!.deadline > now) return
    const timeoutMs = this.#sqlite.addTimeoutMs
    const kept: PendingInsert[] = []
    for (const insert of this.#inserts) {
      if (now < insert.deadline) kept.push(insert)
      else {
        insert.reject(
          new TimeoutError(
            `add() of job ${JSON.stringify(insert.name)} to task queue "${this.name}" could not take the database's write lock within addTimeoutMs (${timeoutMs} ms); nothing was enqueued`,
            timeoutMs,
          ),
        )
      }
    }
    this.#inserts = kept
  }

  #settleInsert(insert: PendingInsert, rowId: number | undefined): void {
    if (rowId !== undefined) {
      if (insert.context !== undefined) this.#rememberContext(rowId, insert.context)
      this.#nextRunAt = Math.min(this.#nextRunAt, insert.runAt)
      insert.resolve(insert.jobId ?? String(rowId))
      return
    }
    try {
      if (
        insert.jobId !== undefined &&
        this.#statements.findKey.get(this.name, insert.jobId) !== undefined
      ) {
        insert.resolve(insert.jobId)
        return
      }
      insert.reject(queueFullError(this.settings))
    } catch (error) {
      insert.reject(error)
    }
  }

  #rememberContext(rowId: number, context: ContextRunner): void {
    if (this.#contexts.size >= MAX_REMEMBERED_CONTEXTS) {
      const oldest = this.#contexts.keys().next().value
      if (oldest !== undefined) this.#contexts.delete(oldest)
    }
    this.#contexts.set(rowId, context)
  }

  #outboxOf(database: DatabaseSync): OutboxConnection {
    let outbox = this.#outboxes.get(database)
    if (outbox === undefined) {
      outbox = prepareOutbox(database, this.name, this.file, this.#sqlite.synchronous)
      this.#outboxes.set(database, outbox)
    }
    return outbox
  }

  // ---------------------------------------------------------------------------------------------
  // The work loop

  #runSoon(): void {
    if (this.#closed || this.#immediate !== undefined) return
    this.#immediate = setImmediate(this.#tick)
  }

  /**
   * One turn of the loop: notice other connections' commits, keep the leases, write the finished
   * attempts and claim jobs for the free slots in one transaction, start them, answer waiters, and
   * plan the next turn.
   */
  readonly #tick = (): void => {
    clearImmediate(this.#immediate)
    this.#immediate = undefined
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#closed) return
    const now = Date.now()
    let active = false
    const version = this.#readDataVersion()
    const changed = version !== this.#dataVersion
    if (changed) {
      this.#dataVersion = version
      this.#workMayBeReady = true
      active = true
    }
    if (now >= this.#nextRunAt) this.#workMayBeReady = true
    if (now >= this.#nextRenewAt) this.#renewLeases(now)
    if (now >= this.#nextSweepAt && this.#sqlite.consume) this.#sweep(now)
    const written = this.#write(now)
    if (written !== undefined) active = true
    this.#applyWrite(written, now)
    if (changed && this.#waiters.size > 0) this.#checkWaiters()
    if (this.#idleWaiters.length > 0 && (changed || written !== undefined) && this.#idle()) {
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of waiters) resolve()
    }
    this.#plan(now, active)
  }

  /** Arms the timer for the earliest thing to do: a poll, a renewal, a sweep, a delayed job, a retry. */
  #plan(now: number, active: boolean): void {
    if (this.#closed) return
    this.#pollDelay = active ? 1 : Math.min(this.#pollDelay * 2, this.#sqlite.pollIntervalMs)
    const consuming = this.#sqlite.consume && !this.closing.started
    let at = Number.POSITIVE_INFINITY
    if (consuming || this.#waiters.size > 0 || this.#idleWaiters.length > 0) {
      at = now + this.#pollDelay
    }
    if (consuming) {
      at = Math.min(at, this.#nextSweepAt)
      if (!this.paused) at = Math.min(at, this.#nextRunAt)
    }
    if (this.#running.size > 0 || this.#outcomes.length > 0) at = Math.min(at, this.#nextRenewAt)
    if (this.#outcomes.length > 0 || this.#inserts.length > 0) {
      at = Math.max(Math.min(at, this.#writesBlockedUntil), now)
    }
    if (at === Number.POSITIVE_INFINITY) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(this.#tick, Math.max(0, at - now))
    // A consuming queue keeps its process alive until close(), as a worker's connection would;
    // a producer's checks and a closing queue's do not.
    if (!consuming) this.#timer.unref()
  }

  #readDataVersion(): number {
    try {
      return (this.#statements.dataVersion.get() as { data_version: number }).data_version
    } catch (error) {
      this.#reportError('checking for changes', error)
      return this.#dataVersion
    }
  }

  #canClaim(): boolean {
    return (
      this.#sqlite.consume &&
      !this.paused &&
      !this.closing.started &&
      this.#running.size < this.#concurrency
    )
  }

  /**
   * Writes the pending adds and the finished attempts and claims jobs for the free slots, in one
   * immediate transaction (one commit, one disk sync), or in one statement when there is only one
   * thing to do. Returns `undefined` when there was nothing to write or the write lock was busy
   * (then retried after a short, growing wait; adds past their `addTimeoutMs` fail).
   */
  #write(now: number): Written | undefined {
    if (now < this.#writesBlockedUntil) {
      this.#expireInserts(now)
      return undefined
    }
    const inserts = this.#inserts
    const outcomes = this.#outcomes
    const claim = this.#canClaim() && (this.#workMayBeReady || inserts.length > 0)
    if (inserts.length === 0 && outcomes.length === 0 && !claim) return undefined
    const statements = this.#statements
    const token = Math.floor(Math.random() * 2 ** 52)
    const ids: (number | undefined)[] = []
    const applied: boolean[] = []
    let claimed: ClaimedRow[] = []
    const alone = inserts.length + outcomes.length + (claim ? 1 : 0) === 1
    try {
      if (alone && claim) {
        // Claiming alone: look before taking the write lock, so idle workers on a busy file do
        // not queue for the lock just to find nothing.
        if (statements.peekReady.get(this.name, now) === undefined) {
          this.#nothingReady()
          return undefined
        }
        claimed = this.#claim(now, token)
      } else if (alone && inserts.length === 1) {
        ids.push((statements.insert.get(...inserts[0]!.params) as { id: number } | undefined)?.id)
      } else {
        statements.begin.run()
        for (const insert of inserts) {
          ids.push((statements.insert.get(...insert.params) as { id: number } | undefined)?.id)
        }
        for (const outcome of outcomes) applied.push(this.#apply(outcome, now))
        if (outcomes.length > 0) this.#prune()
        if (claim) claimed = this.#claim(now, token)
        statements.commit.run()
      }
    } catch (error) {
      if (!alone) rollBack(this.#database)
      ids.length = 0
      applied.length = 0
      this.#writeFailed(now, error)
      return undefined
    }
    this.#writeFailures = 0
    this.#inserts = []
    this.#outcomes = []
    return { inserts, ids, outcomes, applied, claimed, token }
  }

  /** Acknowledges the adds, reports the outcomes and starts the claimed jobs of a committed write. */
  #applyWrite(written: Written | undefined, now: number): void {
    if (written === undefined) return
    const { inserts, ids } = written
    for (let index = 0; index < inserts.length; index++)
      this.#settleInsert(inserts[index]!, ids[index])
    if (inserts.length > 0) this.#workMayBeReady = true
    this.#afterWrite(written.outcomes, written.applied)
    if (written.claimed.length > 0) this.#startAll(written.claimed, written.token, now)
  }

  #claim(now: number, token: number): ClaimedRow[] {
    const free = this.#concurrency - this.#running.size
    const rows = this.#statements.claim.all(
      this.#owner,
      token,
      now + this.#sqlite.lockDurationMs,
      this.name,
      now,
      free,
    ) as unknown as ClaimedRow[]
    if (rows.length < free) this.#nothingReady()
    return rows
  }

  /** No job is ready now: wait for a change, or for the earliest delayed job. */
  #nothingReady(): void {
    this.#workMayBeReady = false
    const row = this.#statements.nextRunAt.get(this.name) as { at: number | null }
    this.#nextRunAt = row.at ?? Number.POSITIVE_INFINITY
  }

  #writeFailed(now: number, error: unknown): void {
    // What the rolled-back claim concluded about the ready jobs no longer holds.
    this.#workMayBeReady = true
    const failures = ++this.#writeFailures
    if (isBusyError(error) && !this.closing.started) {
      this.#writesBlockedUntil = now + busyRetryDelay(failures)
      this.#expireInserts(now)
      return
    }
    // Not a lock to wait for: the adds fail with the error; outcomes are tried again.
    for (const insert of this.#inserts.splice(0)) insert.reject(error)
    this.#writesBlockedUntil = now + Math.min(MAX_ERROR_BACKOFF_MS, 10 * 2 ** failures)
    this.#reportError('writing jobs', error)
  }

  /** Writes one outcome, fenced by the lease token; `false` when the lease was no longer ours. */
  #apply(outcome: Outcome, now: number): boolean {
    const { row, token } = outcome.job
    const statements = this.#statements
    if (this.#keepsNone(outcome.kind)) {
      return Number(statements.drop.run(row.id, token).changes) !== 0
    }
    let changes: number | bigint
    switch (outcome.kind) {
      case 'complete':
        changes = statements.complete.run(storeResult(outcome.value), now, row.id, token).changes
        break
      case 'retry': {
        const runAt = now + outcome.delayMs
        changes = statements.retry.run(runAt, storeError(outcome.error), row.id, token).changes
        if (changes !== 0) this.#nextRunAt = Math.min(this.#nextRunAt, runAt)
        break
      }
      case 'dead':
        changes = statements.bury.run(storeError(outcome.error), now, row.id, token).changes
        break
      case 'handBack':
        changes = statements.handBack.run(row.id, token).changes
        break
    }
    return Number(changes) !== 0
  }

  /**
   * Whether a job ending so is deleted at once rather than written and then pruned:
   * `keepCompleted` or `maxDeadLetters` is 0, so nothing could ever read it.
   */
  #keepsNone(kind: Outcome['kind']): boolean {
    if (kind === 'complete') return this.settings.keepCompleted === 0
    return kind === 'dead' && this.settings.maxDeadLetters === 0
  }

  /** Drops the oldest finished jobs beyond `keepCompleted` and `maxDeadLetters`. */
  #prune(): void {
    const counts = this.#statements.counts.get(this.name) as QueueCountsRow | undefined
    if (counts === undefined) return
    const extraCompleted = counts.completed - this.settings.keepCompleted
    if (extraCompleted > 0) this.#statements.pruneCompleted.run(this.name, extraCompleted)
    const extraDead = counts.dead - this.settings.maxDeadLetters
    if (extraDead > 0) this.#statements.pruneDead.run(this.name, extraDead)
  }

  /** Reports what a committed write did: events, counters, `result()` waiters, `idle`. */
  #afterWrite(outcomes: Outcome[], applied: boolean[]): void {
    for (let index = 0; index < outcomes.length; index++) {
      const outcome = outcomes[index]!
      if (!applied[index]) {
        if (outcome.kind !== 'handBack') this.#reportLateOutcome(outcome.job)
        continue
      }
      switch (outcome.kind) {
        case 'complete':
          this.#completedJob(outcome.job, outcome.value)
          break
        case 'retry':
          this.retried++
          if (this.listenerCount('retry') !== 0) {
            const event = {
              job: jobInfoOf(outcome.job.row),
              error: outcome.error,
              delayMs: outcome.delayMs,
            }
            emitSafely(`queue "${this.name}"`, () => this.emit('retry', event))
          }
          break
        case 'dead':
          this.#failedJob(jobInfoOf(outcome.job.row), outcome.error)
          break
        case 'handBack':
          break
      }
    }
    if (outcomes.length > 0) this.#maybeIdle()
  }

  #completedJob(job: RunningJob, value: unknown): void {
    this.completed++
    const id = publicId(job.row)
    const waiters = this.#waiters.get(id)
    if (waiters !== undefined) {
      this.#waiters.delete(id)
      // As a waiter in another process would read it: through JSON.
      const stored = restoreResult(storeResult(value))
      for (const waiter of waiters) waiter.resolve(stored)
    }
    if (this.listenerCount('complete') !== 0) {
      const event = { job: jobInfoOf(job.row), result: value }
      emitSafely(`queue "${this.name}"`, () => this.emit('complete', event))
    }
  }

  #failedJob(info: JobInfo, error: unknown): void {
    this.failed++
    const waiters = this.#waiters.get(info.id)
    if (waiters !== undefined) {
      this.#waiters.delete(info.id)
      const failure = new JobFailedError(info.id, info.name, info.attempt, error)
      for (const waiter of waiters) waiter.reject(failure)
    }
    reportJobFailure(this, this.name, this.settings.onError, info, error)
  }

  /** `idle` once this process's work leaves nothing waiting, delayed or running queue-wide. */
  #maybeIdle(): void {
    if (!this.#busySinceIdle || this.#running.size !== 0) return
    if (this.listenerCount('idle') === 0 || !this.#idle()) return
    this.#busySinceIdle = false
    emitSafely(`queue "${this.name}"`, () => this.emit('idle', IDLE_EVENT))
  }

  #idle(): boolean {
    if (this.#inserts.length > 0 || this.#outcomes.length > 0 || this.#running.size > 0) {
      return false
    }
    try {
      const counts = this.#statements.counts.get(this.name) as QueueCountsRow | undefined
      return counts === undefined || counts.ready + counts.leased === 0
    } catch (error) {
      this.#reportError('reading the counts', error)
      return false
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Running jobs

  #startAll(rows: ClaimedRow[], token: number, now: number): void {
    // RETURNING gives no order: start them in the claim's order.
    if (rows.length > 1) rows.sort(claimOrder)
    this.#busySinceIdle = true
    this.#nextRenewAt = Math.min(this.#nextRenewAt, now + this.#sqlite.lockDurationMs / 3)
    for (const row of rows) {
      const job: RunningJob = {
        row,
        token,
        context: new AttemptContext(publicId(row), row.name, row.attempts, row.max_attempts),
        leaseExpiresAt: now + this.#sqlite.lockDurationMs,
        ended: false,
      }
      this.#running.set(row.id, job)
      this.#run(job)
    }
  }

  #run(job: RunningJob): void {
    const { row, context } = job
    const handler = this.settings.handlers.get(row.name)
    const runIn = this.#contexts.get(row.id)
    if (runIn !== undefined) this.#contexts.delete(row.id)
    let returned: unknown
    let promise: Promise<unknown> | undefined
    try {
      if (handler === undefined) {
        throw new UnrecoverableJobError(
          `Task queue "${this.name}" has no handler for job ${JSON.stringify(row.name)} in this process`,
        )
      }
      const data = JSON.parse(row.data) as unknown
      returned =
        runIn === undefined
          ? handler(data, context)
          : runIn(handler as (...args: unknown[]) => unknown, data, context)
      // A thenable is adopted once (a lazy query builder must not run twice).
      promise = adoptThenable(returned)
    } catch (error) {
      this.#attemptFailed(job, error)
      return
    }
    if (promise === undefined) {
      this.#attemptSucceeded(job, returned)
      return
    }
    const timeoutMs = this.settings.timeoutMs
    if (timeoutMs !== undefined) {
      void settleWithin(this.name, promise, timeoutMs, context, {
        succeeded: (value) => this.#attemptSucceeded(job, value),
        failed: (error) => this.#attemptFailed(job, error),
      })
      return
    }
    promise.then(
      (value) => this.#attemptSucceeded(job, value),
      (error: unknown) => this.#attemptFailed(job, error),
    )
  }

  #attemptSucceeded(job: RunningJob, value: unknown): void {
    this.#finish(job, { kind: 'complete', job, value })
  }

  #attemptFailed(job: RunningJob, error: unknown): void {
    const { row } = job
    if (row.attempts < row.max_attempts && !(error instanceof UnrecoverableJobError)) {
      const delayMs = backoffDelay(this.settings.backoff, row.attempts)
      this.#finish(job, { kind: 'retry', job, error, delayMs })
    } else {
      this.#finish(job, { kind: 'dead', job, error })
    }
  }

  /** Records an attempt's outcome for the next write; frees its slot at once. */
  #finish(job: RunningJob, outcome: Outcome): void {
    if (job.ended) return
    job.ended = true
    this.#running.delete(job.row.id)
    this.#outcomes.push(outcome)
    this.#workMayBeReady = true
    this.#runSoon()
    this.#checkQuiet()
  }

  #checkQuiet(): void {
    if (this.#onQuiet !== undefined && this.#running.size === 0) {
      this.#onQuiet()
      this.#onQuiet = undefined
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Leases

  /**
   * Extends the leases of every job this process holds, in one statement, and aborts the
   * attempts whose lease is gone (taken back after it ran out: this process stalled longer than
   * `lockDurationMs`). When the write fails, attempts whose lease has run out meanwhile are
   * aborted too: another worker may already run them.
   */
  #renewLeases(now: number): void {
    const lease = this.#sqlite.lockDurationMs
    this.#nextRenewAt =
      this.#running.size > 0 || this.#outcomes.length > 0
        ? now + lease / 3
        : Number.POSITIVE_INFINITY
    if (this.#nextRenewAt === Number.POSITIVE_INFINITY) return
    let rows: { id: number; lease_token: number }[]
    try {
      rows = this.#statements.renew.all(now + lease, this.name, this.#owner) as unknown as {
        id: number
        lease_token: number
      }[]
    } catch (error) {
      if (!isBusyError(error)) this.#reportError('renewing leases', error)
      this.#nextRenewAt = now + busyRetryDelay(++this.#writeFailures)
      for (const job of [...this.#running.values()]) {
        if (job.leaseExpiresAt <= now) this.#loseLease(job, 'could not be renewed in time')
      }
      return
    }
    const held = new Map<number, number>()
    for (const row of rows) held.set(row.id, row.lease_token)
    for (const job of [...this.#running.values()]) {
      if (held.get(job.row.id) === job.token) job.leaseExpiresAt = now + lease
      else if (job.leaseExpiresAt - lease < now) {
        this.#loseLease(job, 'ran out before it was renewed and was taken back')
      }
    }
  }

  #loseLease(job: RunningJob, how: string): void {
    if (job.ended) return
    job.ended = true
    this.#running.delete(job.row.id)
    const id = publicId(job.row)
    const error = new LeaseLostError(
      `The lease of task queue "${this.name}" on job ${JSON.stringify(job.row.name)} (id ${id}) ${how} (lockDurationMs ${this.#sqlite.lockDurationMs} ms); the attempt is aborted and its outcome will not be written, as the job runs again`,
      id,
      job.row.name,
    )
    job.context.abort(error)
    this.#reportError(`job ${id}`, error)
    this.#checkQuiet()
  }

  /** An attempt finished after its lease was taken back: its outcome is dropped, not written over the newer attempt. */
  #reportLateOutcome(job: RunningJob): void {
    const id = publicId(job.row)
    this.#reportError(
      `job ${id}`,
      new LeaseLostError(
        `Task queue "${this.name}" dropped the outcome of job ${JSON.stringify(job.row.name)} (id ${id}): its lease was taken back before the attempt ended (lockDurationMs ${this.#sqlite.lockDurationMs} ms), so the job runs again`,
        id,
        job.row.name,
      ),
    )
  }

  /**
   * Takes back the jobs whose lease ran out, and those of processes on this machine that no
   * longer exist; each goes back to ready with the attempt it was on, or to the dead letters once
   * taken back more than `maxStalledCount` times. Looks first, so nothing is written when no lease
   * ran out.
   */
  #sweep(now: number): void {
    this.#nextSweepAt = now + this.#sqlite.stalledIntervalMs
    const maxStalls = this.#sqlite.maxStalledCount
    let rows: SweptRow[]
    try {
      const statements = this.#statements
      const owners = statements.leaseOwners.all(this.name) as { owner: string | null }[]
      const gone: string[] = []
      for (const { owner } of owners) {
        if (owner !== null && owner !== this.#owner && ownerIsGone(owner)) gone.push(owner)
      }
      if (gone.length === 0 && statements.expiredLease.get(this.name, now) === undefined) return
      const stalledError = storeError(this.#stalledError('', ''))
      rows = statements.sweep.all(
        maxStalls,
        maxStalls,
        maxStalls,
        now,
        maxStalls,
        stalledError,
        this.name,
        now,
        JSON.stringify(gone),
      ) as unknown as SweptRow[]
    } catch (error) {
      if (!isBusyError(error)) this.#reportError('taking back expired leases', error)
      this.#nextSweepAt = now + busyRetryDelay(++this.#writeFailures)
      return
    }
    for (const row of rows) {
      if (row.state === JobState.Ready) this.#workMayBeReady = true
      else this.#failedJob(jobInfoOf(row), this.#stalledError(publicId(row), row.name))
    }
  }

  /** The error of a job taken back from dead or stuck workers more than `maxStalledCount` times. */
  #stalledError(jobId: string, jobName: string): LeaseLostError {
    return new LeaseLostError(
      `The worker running it stopped renewing its lease (it died, hung or lost the database) more than maxStalledCount (${this.#sqlite.maxStalledCount}) times`,
      jobId,
      jobName,
    )
  }

  // ---------------------------------------------------------------------------------------------
  // Results

  #find(id: string): StoredRow | undefined {
    const statements = this.#statements
    const row = /^\d+$/.test(id)
      ? statements.byId.get(Number(id), this.name)
      : statements.byKey.get(this.name, id)
    return row as StoredRow | undefined
  }

  #failedError(row: StoredRow): JobFailedError {
    return new JobFailedError(publicId(row), row.name, row.attempts, restoreError(row.error))
  }

  #waitFor(id: string, signal: AbortSignal | undefined): Promise<unknown> {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    let waiters = this.#waiters.get(id)
    if (waiters === undefined) {
      waiters = new Set()
      this.#waiters.set(id, waiters)
    }
    const waiter = new ResultWaiter(resolve, reject)
    if (signal !== undefined) {
      const onAbort = () => {
        this.#dropWaiter(id, waiter)
        waiter.reject(abortErrorFor(resultAbortMessage(this.name, id), signal))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      waiter.stopListening = () => signal.removeEventListener('abort', onAbort)
    }
    waiters.add(waiter)
    this.#plan(Date.now(), false)
    return promise
  }

  #dropWaiter(id: string, waiter: ResultWaiter): void {
    const waiters = this.#waiters.get(id)
    if (waiters === undefined) return
    waiters.delete(waiter)
    if (waiters.size === 0) this.#waiters.delete(id)
  }

  /** Another connection committed: answers the waits whose job finished there. */
  #checkWaiters(): void {
    for (const [id, waiters] of [...this.#waiters]) {
      let settle: ((waiter: ResultWaiter) => void) | undefined
      try {
        const row = this.#find(id)
        if (row === undefined) {
          const error = new JobNotFoundError(this.name, id)
          settle = (waiter) => waiter.reject(error)
        } else if (row.state === JobState.Completed) {
          const value = restoreResult(row.result)
          settle = (waiter) => waiter.resolve(value)
        } else if (row.state === JobState.Dead) {
          const error = this.#failedError(row)
          settle = (waiter) => waiter.reject(error)
        }
      } catch (error) {
        this.#reportError('reading a result', error)
        return
      }
      if (settle === undefined) continue
      this.#waiters.delete(id)
      for (const waiter of waiters) settle(waiter)
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing

  async #shutDown(timeoutMs: number): Promise<CloseReport> {
    const quiet = new Promise<void>((resolve) => {
      this.#onQuiet = resolve
    })
    this.#checkQuiet()
    const timedOut = await deadlinePassed(quiet, timeoutMs)
    this.#onQuiet = undefined
    const aborted: JobInfo[] = []
    const reason = this.closing.error('the close() deadline passed while the job ran')
    for (const job of [...this.#running.values()]) {
      job.ended = true
      this.#running.delete(job.row.id)
      aborted.push(jobInfoOf(job.row))
      this.#outcomes.push({ kind: 'handBack', job })
      job.context.abort(reason)
    }
    // The last writes may wait for the lock longer: the loop has nothing else to serve now.
    let notStarted: JobInfo[] = []
    try {
      this.#database.exec(`PRAGMA busy_timeout = ${CLOSING_BUSY_TIMEOUT_MS}`)
      this.#writesBlockedUntil = 0
      const now = Date.now()
      this.#applyWrite(this.#write(now), now)
      const rows = this.#statements.notStarted.all(this.name) as unknown as StoredRow[]
      notStarted = rows.map((row) => jobInfoOf(row))
    } catch (error) {
      // The leases of jobs not handed back run out and other workers take them back.
      this.#reportError('writing the last outcomes', error)
    }
    this.#stop()
    return { timedOut, aborted, notStarted }
  }

  /** Ends every wait, stops the timers and closes the connection. */
  #stop(): void {
    this.stats()
    this.#lastStats = { ...this.#lastStats, closed: true }
    this.#closed = true
    clearImmediate(this.#immediate)
    clearTimeout(this.#timer)
    this.#immediate = undefined
    this.#timer = undefined
    const closed = this.closing.error('it closed before the job finished')
    for (const insert of this.#inserts.splice(0)) insert.reject(closed)
    for (const [, waiters] of this.#waiters) {
      for (const waiter of waiters) waiter.reject(closed)
    }
    this.#waiters.clear()
    for (const resolve of this.#idleWaiters.splice(0)) resolve()
    this.#contexts.clear()
    this.#outcomes = []
    try {
      this.#database.close()
    } catch (error) {
      this.#reportError('closing the database', error)
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Errors and stats

  /** A snapshot of the queue's counts row (ready jobs include the `delayed` ones). */
  #snapshotOf(counts: QueueCountsRow | undefined, delayed: number): TaskQueueStats {
    const waiting = Math.max(0, (counts?.ready ?? 0) - delayed)
    return this.snapshot(waiting, delayed, counts?.leased ?? 0, counts?.dead ?? 0)
  }

  /** A database problem the queue recovers from by retrying: the `error` event, or stderr. */
  #reportError(what: string, error: unknown): void {
    reportQueueError(this, this.name, `${what} of SQLite task queue "${this.name}"`, error)
  }

  #busyError(what: string, cause: unknown): DatabaseBusyError {
    return new DatabaseBusyError(
      `${what} of task queue "${this.name}" could not write: the database is locked by another connection (or your transaction read data that changed since). Roll the transaction back and run it again`,
      cause,
    )
  }
}

/** The claim's order: higher priority first, then the earliest `run_at`, then the order added. */
function claimOrder(a: ClaimedRow, b: ClaimedRow): number {
  return b.priority - a.priority || a.run_at - b.run_at || a.id - b.id
}

/** Rolls back whatever transaction is open; an error here means none was (SQLite already rolled back). */
function rollBack(database: DatabaseSync): void {
  try {
    database.exec('ROLLBACK')
  } catch {
    // No transaction was open: SQLite rolled it back itself.
  }
}
