import type { DatabaseSync } from 'node:sqlite'
import * as option from '@loopwork/internal/options'

/** The version of the tables below; a file written by a later version is refused, not misread. */
export const SCHEMA_VERSION = 1

/**
 * The values of a job's `state` column (the SQL below spells them out as numbers):
 * ready (waiting for its `run_at` and a worker: waiting or delayed), leased (a worker runs it),
 * completed (kept for `result()` and `jobId` deduplication up to `keepCompleted`), dead (failed
 * for good; a dead letter, kept up to `maxDeadLetters`).
 */
export const JobState = Object.freeze({ Ready: 0, Leased: 1, Completed: 2, Dead: 3 })

/**
 * The queue's tables, in the application's own database file (so a job can be written in the same
 * transaction as the application's rows). One table holds every queue's jobs; `loopwork_queues`
 * holds each queue's counts by state, kept by triggers so that `maxWaiting` and `stats()` cost one
 * row read whichever connection wrote the jobs.
 *
 * Indexes: the ready jobs in claim order (higher priority first, then the earliest `run_at`, then
 * the order added), the leases by expiry (for the sweep), completed and dead jobs by age (for pruning; one index
 * each, as SQLite uses a partial index only for a query that repeats its condition), and
 * one unique `jobId` per queue while its job is retained.
 */
const schema = `
  CREATE TABLE IF NOT EXISTS loopwork_meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS loopwork_jobs (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    job_key TEXT,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    priority INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    stalls INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_token INTEGER,
    lease_expires_at INTEGER,
    result TEXT,
    error TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  ) STRICT;
  CREATE INDEX IF NOT EXISTS loopwork_jobs_ready
    ON loopwork_jobs (queue, priority DESC, run_at, id) WHERE state = 0;
  CREATE INDEX IF NOT EXISTS loopwork_jobs_leased
    ON loopwork_jobs (queue, lease_expires_at) WHERE state = 1;
  CREATE INDEX IF NOT EXISTS loopwork_jobs_completed
    ON loopwork_jobs (queue, finished_at, id) WHERE state = 2;
  CREATE INDEX IF NOT EXISTS loopwork_jobs_dead
    ON loopwork_jobs (queue, finished_at, id) WHERE state = 3;
  CREATE UNIQUE INDEX IF NOT EXISTS loopwork_jobs_key
    ON loopwork_jobs (queue, job_key) WHERE job_key IS NOT NULL;
  CREATE TABLE IF NOT EXISTS loopwork_queues (
    queue TEXT PRIMARY KEY,
    ready INTEGER NOT NULL DEFAULT 0,
    leased INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    dead INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE TRIGGER IF NOT EXISTS loopwork_jobs_counted_insert AFTER INSERT ON loopwork_jobs
  BEGIN
    UPDATE loopwork_queues SET
      ready = ready + (NEW.state = 0), leased = leased + (NEW.state = 1),
      completed = completed + (NEW.state = 2), dead = dead + (NEW.state = 3)
    WHERE queue = NEW.queue;
  END;
  CREATE TRIGGER IF NOT EXISTS loopwork_jobs_counted_update AFTER UPDATE OF state ON loopwork_jobs
  WHEN OLD.state <> NEW.state
  BEGIN
    UPDATE loopwork_queues SET
      ready = ready + (NEW.state = 0) - (OLD.state = 0),
      leased = leased + (NEW.state = 1) - (OLD.state = 1),
      completed = completed + (NEW.state = 2) - (OLD.state = 2),
      dead = dead + (NEW.state = 3) - (OLD.state = 3)
    WHERE queue = NEW.queue;
  END;
  CREATE TRIGGER IF NOT EXISTS loopwork_jobs_counted_delete AFTER DELETE ON loopwork_jobs
  BEGIN
    UPDATE loopwork_queues SET
      ready = ready - (OLD.state = 0), leased = leased - (OLD.state = 1),
      completed = completed - (OLD.state = 2), dead = dead - (OLD.state = 3)
    WHERE queue = OLD.queue;
  END;
`

/**
 * Creates the queue's tables in `database` (when missing) and registers `queueName`, in one
 * immediate transaction, so processes starting together do it once. Throws when the file holds
 * tables of a later schema version.
 */
export function migrate(database: DatabaseSync, file: string, queueName: string): void {
  database.exec('BEGIN IMMEDIATE')
  try {
    database.exec(schema)
    const row = database
      .prepare("SELECT value FROM loopwork_meta WHERE key = 'schema_version'")
      .get() as { value: number } | undefined
    if (row === undefined) {
      database
        .prepare("INSERT INTO loopwork_meta (key, value) VALUES ('schema_version', ?)")
        .run(SCHEMA_VERSION)
    } else if (row.value > SCHEMA_VERSION) {
      throw option.invalid(
        'file',
        file,
        `a database whose job tables this version can read (they are at schema version ${row.value}, this version writes ${SCHEMA_VERSION}: upgrade @loopwork/background-tasks)`,
      )
    }
    database.prepare('INSERT OR IGNORE INTO loopwork_queues (queue) VALUES (?)').run(queueName)
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}
