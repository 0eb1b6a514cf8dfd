import type { AttemptContext } from './attempt-context.js'
import type { JobHandler, JobInfo } from './task-queue-types.js'

/** Where an in-memory job stands. */
export type MemoryJobState =
  | 'waiting'
  | 'delayed'
  | 'active'
  | 'completed'
  | 'failed'
  /** Running when `close()` hit its deadline; aborted and reported. */
  | 'interrupted'
  /** Not started when the queue closed; handed back in the close report. */
  | 'returned'

/** Someone awaiting `result(id)`. */
export interface ResultWaiter {
  resolve(value: unknown): void
  reject(error: unknown): void
}

/** One job of the in-memory backend. */
export class MemoryJob implements JobInfo {
  readonly id: string
  readonly name: string
  readonly data: unknown
  readonly priority: number
  readonly maxAttempts: number
  readonly handler: JobHandler
  attempt = 0
  state: MemoryJobState = 'waiting'
  /** The delay or backoff timer while `delayed`. */
  timer: NodeJS.Timeout | undefined
  /** The running attempt's context while `active`. */
  context: AttemptContext | undefined
  /** The result once completed, the last error once failed. */
  outcome: unknown
  failedAt = 0
  waiters: ResultWaiter[] | undefined

  constructor(
    id: string,
    name: string,
    data: unknown,
    priority: number,
    maxAttempts: number,
    handler: JobHandler,
  ) {
    this.id = id
    this.name = name
    this.data = data
    this.priority = priority
    this.maxAttempts = maxAttempts
    this.handler = handler
  }

  /** A frozen copy for events, reports and `onError`, so a listener that keeps it sees it unchanged. */
  info(): JobInfo {
    return Object.freeze({
      id: this.id,
      name: this.name,
      data: this.data,
      attempt: this.attempt,
      maxAttempts: this.maxAttempts,
      priority: this.priority,
    })
  }
}
