import { messageOf } from '@loopwork/internal'
import type { DeadLetter, JobInfo } from '../../task-queue-options.js'

/** A job as a claim returns it. */
export interface ClaimedRow {
  readonly id: number
  readonly job_key: string | null
  readonly name: string
  readonly data: string
  readonly priority: number
  readonly run_at: number
  /** Attempts started, this one included. */
  readonly attempts: number
  readonly max_attempts: number
}

/** A job as the sweep returns it (ready again, or dead after too many stalls). */
export interface SweptRow extends ClaimedRow {
  readonly state: number
  readonly error: string | null
}

/** A job as `result()` and `close()` read it. */
export interface StoredRow extends ClaimedRow {
  readonly state: number
  readonly result: string | null
  readonly error: string | null
  readonly finished_at: number | null
}

/** The id users see: the `jobId` it was added with, or the row id as text. */
export function publicId(row: { readonly id: number; readonly job_key: string | null }): string {
  return row.job_key ?? String(row.id)
}

/** A stored job as events, reports and `onError` see it; `attempt` is the attempts started. */
export function jobInfoOf(row: ClaimedRow, attempt = row.attempts): JobInfo {
  return Object.freeze({
    id: publicId(row),
    name: row.name,
    data: JSON.parse(row.data) as unknown,
    attempt,
    maxAttempts: row.max_attempts,
    priority: row.priority,
  })
}

/** What the `error` column holds: enough to rebuild the error in another process. */
interface StoredError {
  readonly name: string
  readonly message: string
  readonly stack?: string | undefined
  readonly code?: string | undefined
}

/** The text of the `error` column for a failed attempt. */
export function storeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const stored: StoredError =
    error instanceof Error
      ? {
          name: error.name,
          message: error.message,
          stack: error.stack,
          code: typeof code === 'string' ? code : undefined,
        }
      : { name: 'Error', message: messageOf(error) }
  return JSON.stringify(stored)
}

/** An error rebuilt from the `error` column: its name, message, stack and code. */
export function restoreError(text: string | null): Error {
  if (text === null) return new Error('the job failed without a recorded error')
  const stored = JSON.parse(text) as StoredError
  const error = new Error(stored.message)
  error.name = stored.name
  if (stored.stack !== undefined) error.stack = stored.stack
  if (stored.code !== undefined) Object.assign(error, { code: stored.code })
  return error
}

/**
 * The text of the `result` column: JSON, as results travel between processes. `undefined` (and a
 * result JSON cannot hold, such as a BigInt) is stored as NULL and read back as `undefined`.
 */
export function storeResult(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null
  } catch {
    return null
  }
}

/** A value read back from the `result` column. */
export function restoreResult(text: string | null): unknown {
  return text === null ? undefined : (JSON.parse(text) as unknown)
}

/** A dead job as `deadLetters()` lists it. */
export function deadLetterOf(row: StoredRow): DeadLetter {
  return {
    id: publicId(row),
    name: row.name,
    data: JSON.parse(row.data) as unknown,
    attempts: row.attempts,
    error: restoreError(row.error),
    failedAt: row.finished_at ?? row.run_at,
  }
}
