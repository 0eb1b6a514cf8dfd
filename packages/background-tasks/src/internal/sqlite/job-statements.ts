import type { DatabaseSync, StatementSync } from 'node:sqlite'

/** The columns every read of a whole job returns. */
const jobColumns =
  'id, job_key, name, data, priority, run_at, attempts, max_attempts, state, result, error, finished_at'
/** What a transition after the claim clears: the job is nobody's any more. */
const noLease = 'lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL'
/**
 * Every transition after the claim is fenced by the lease token: a worker whose lease was taken
 * back (and maybe given to another) changes nothing, instead of overwriting the newer attempt.
 */
const fenced = 'WHERE id = ? AND lease_token = ? AND state = 1'

/**
 * Adds a job in one statement, so that the `maxWaiting` check and the insert cannot be split by
 * another writer: nothing is inserted when the queue already holds `maxWaiting` ready jobs or
 * when the queue already has a job with this `jobId` (the conflict target repeats the unique
 * index's condition, as SQLite requires for a partial index). Parameters, in order: queue, jobId,
 * name, data, priority, run_at, max_attempts, created_at, queue again, maxWaiting (plain `?`:
 * Node 22.13 cannot bind numbered ones positionally).
 */
export const INSERT_JOB_SQL = `
  INSERT INTO loopwork_jobs (queue, job_key, name, data, priority, run_at, max_attempts, created_at)
  SELECT ?, ?, ?, ?, ?, ?, ?, ?
  WHERE (SELECT ready FROM loopwork_queues WHERE queue = ?) < ?
  ON CONFLICT (queue, job_key) WHERE job_key IS NOT NULL DO NOTHING
  RETURNING id`

/** Finds a queue's job by its `jobId`. */
export const FIND_KEY_SQL = 'SELECT id FROM loopwork_jobs WHERE queue = ? AND job_key = ?'

/**
 * The prepared statements of the queue's own connection. Every write is one statement or a short
 * immediate transaction, and none stays open across an `await`: node:sqlite is synchronous, and
 * a transaction left open would hold the file's write lock for every other process.
 */
export class JobStatements {
  readonly begin: StatementSync
  readonly commit: StatementSync
  readonly rollback: StatementSync
  readonly insert: StatementSync
  readonly findKey: StatementSync
  readonly counts: StatementSync
  readonly delayed: StatementSync
  readonly peekReady: StatementSync
  readonly nextRunAt: StatementSync
  readonly claim: StatementSync
  readonly complete: StatementSync
  readonly retry: StatementSync
  readonly bury: StatementSync
  readonly drop: StatementSync
  readonly handBack: StatementSync
  readonly renew: StatementSync
  readonly leaseOwners: StatementSync
  readonly expiredLease: StatementSync
  readonly sweep: StatementSync
  readonly pruneCompleted: StatementSync
  readonly pruneDead: StatementSync
  readonly byId: StatementSync
  readonly byKey: StatementSync
  readonly notStarted: StatementSync
  readonly deadLetters: StatementSync
  readonly dataVersion: StatementSync

  constructor(database: DatabaseSync) {
    const prepare = (sql: string) => database.prepare(sql)
    this.begin = prepare('BEGIN IMMEDIATE')
    this.commit = prepare('COMMIT')
    this.rollback = prepare('ROLLBACK')
    this.insert = prepare(INSERT_JOB_SQL)
    this.findKey = prepare(FIND_KEY_SQL)
    this.counts = prepare(
      'SELECT ready, leased, completed, dead FROM loopwork_queues WHERE queue = ?',
    )
    this.delayed = prepare(
      'SELECT count(*) AS count FROM loopwork_jobs WHERE queue = ? AND state = 0 AND run_at > ?',
    )
    this.peekReady = prepare(
      'SELECT 1 AS found FROM loopwork_jobs WHERE queue = ? AND state = 0 AND run_at <= ? LIMIT 1',
    )
    this.nextRunAt = prepare(
      'SELECT min(run_at) AS at FROM loopwork_jobs WHERE queue = ? AND state = 0',
    )
    // One statement, no read-then-write transaction: the write lock is taken at its start, so
    // two workers can never claim the same job, and no snapshot can go stale in between.
    // (SQLite is not built with UPDATE ... LIMIT, hence the subquery.)
    this.claim = prepare(`
      UPDATE loopwork_jobs
      SET state = 1, attempts = attempts + 1, lease_owner = ?, lease_token = ?, lease_expires_at = ?
      WHERE id IN (
        SELECT id FROM loopwork_jobs
        WHERE queue = ? AND state = 0 AND run_at <= ?
        ORDER BY priority DESC, run_at, id LIMIT ?
      )
      RETURNING id, job_key, name, data, priority, run_at, attempts, max_attempts`)
    this.complete = prepare(
      `UPDATE loopwork_jobs SET state = 2, result = ?, finished_at = ?, ${noLease} ${fenced}`,
    )
    this.retry = prepare(
      `UPDATE loopwork_jobs SET state = 0, run_at = ?, error = ?, ${noLease} ${fenced}`,
    )
    this.bury = prepare(
      `UPDATE loopwork_jobs SET state = 3, error = ?, finished_at = ?, ${noLease} ${fenced}`,
    )
    // A job that ended for good where no job of its kind is kept (keepCompleted or
    // maxDeadLetters 0) is deleted at once.
    this.drop = prepare(`DELETE FROM loopwork_jobs ${fenced}`)
    // An attempt cut off by close() is not a failed attempt: the next worker runs it with the
    // same attempt number, and in its old place (its run_at is unchanged).
    this.handBack = prepare(
      `UPDATE loopwork_jobs SET state = 0, attempts = attempts - 1, ${noLease} ${fenced}`,
    )
    this.renew = prepare(`
      UPDATE loopwork_jobs SET lease_expires_at = ?
      WHERE queue = ? AND state = 1 AND lease_owner = ?
      RETURNING id, lease_token`)
    this.leaseOwners = prepare(
      'SELECT DISTINCT lease_owner AS owner FROM loopwork_jobs WHERE queue = ? AND state = 1',
    )
    this.expiredLease = prepare(
      'SELECT 1 AS found FROM loopwork_jobs WHERE queue = ? AND state = 1 AND lease_expires_at < ? LIMIT 1',
    )
    // Takes back the jobs whose lease ran out (or whose owner is known to be gone): ready again
    // with the same attempt number, or dead once stalled more than maxStalledCount times.
    // Parameters: maxStalledCount three times, now, maxStalledCount, the error, queue, now, the
    // gone owners as a JSON array.
    this.sweep = prepare(`
      UPDATE loopwork_jobs SET
        state = CASE WHEN stalls + 1 > ? THEN 3 ELSE 0 END,
        attempts = CASE WHEN stalls + 1 > ? THEN attempts ELSE attempts - 1 END,
        finished_at = CASE WHEN stalls + 1 > ? THEN ? ELSE NULL END,
        error = CASE WHEN stalls + 1 > ? THEN ? ELSE error END,
        stalls = stalls + 1,
        ${noLease}
      WHERE queue = ? AND state = 1
        AND (lease_expires_at < ? OR lease_owner IN (SELECT value FROM json_each(?)))
      RETURNING id, job_key, name, data, priority, run_at, attempts, max_attempts, state, error`)
    this.pruneCompleted = prepare(`
      DELETE FROM loopwork_jobs WHERE id IN (
        SELECT id FROM loopwork_jobs WHERE queue = ? AND state = 2 ORDER BY finished_at, id LIMIT ?
      )`)
    this.pruneDead = prepare(`
      DELETE FROM loopwork_jobs WHERE id IN (
        SELECT id FROM loopwork_jobs WHERE queue = ? AND state = 3 ORDER BY finished_at, id LIMIT ?
      )`)
    this.byId = prepare(`SELECT ${jobColumns} FROM loopwork_jobs WHERE id = ? AND queue = ?`)
    this.byKey = prepare(`SELECT ${jobColumns} FROM loopwork_jobs WHERE queue = ? AND job_key = ?`)
    this.notStarted = prepare(
      `SELECT ${jobColumns} FROM loopwork_jobs WHERE queue = ? AND state = 0 ORDER BY priority DESC, run_at, id`,
    )
    this.deadLetters = prepare(
      `SELECT ${jobColumns} FROM loopwork_jobs WHERE queue = ? AND state = 3 ORDER BY finished_at, id LIMIT ?`,
    )
    this.dataVersion = prepare('PRAGMA data_version')
  }
}

/** The counts `loopwork_queues` keeps for one queue. */
export interface QueueCountsRow {
  readonly ready: number
  readonly leased: number
  readonly completed: number
  readonly dead: number
}
