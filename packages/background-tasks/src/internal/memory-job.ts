import type { LinkedList } from '@loopwork/internal'
import type { JobContext, JobInfo } from '../task-queue-options.js'
import type { AttemptContext } from './attempt-context.js'
import type { ResultWaiter } from './result-waiter.js'

/** Where an in-memory job stands. */
export type MemoryJobState =
  | 'waiting'
  | 'delayed'
  | 'running'
  | 'completed'
  | 'failed'
  /** Running when `close()` hit its deadline; aborted and reported. */
  | 'interrupted'
  /** Not started when the queue closed; handed back in the close report. */
  | 'returned'

/** A handler's context that the queue can abort (timeout, close deadline). */
export interface AbortableContext extends JobContext {
  abort(reason: unknown): void
}

/** The parts of a job few jobs need, allocated on first use so a plain job stays small. */
interface JobExtras {
  controller?: AbortController
  abortReason?: unknown
  /** The delay or backoff timer while `delayed`. */
  timer?: ReturnType<typeof setTimeout> | undefined
  failedAt?: number
  /** The `result()` calls waiting for the job, while it is unfinished. */
  waiters?: LinkedList<ResultWaiter> | undefined
  /** The context of the running attempt when it is a retry. */
  retryContext?: AttemptContext
}

/**
 * One job of the in-memory backend. It doubles as the context of its first attempt, so the common
 * case, a job that runs once, allocates no separate context; a retry gets a fresh `AttemptContext`.
 * Kept small on purpose: a backlog holds one per waiting job.
 */
export class MemoryJob implements AbortableContext {
  attemptsStarted = 0
  state: MemoryJobState = 'waiting'
  /** The result once completed, the last error once failed. */
  outcome: unknown
  extras: JobExtras | undefined

  constructor(
    /** Its place in the order of `add()` calls; its id unless it has a `jobId`. */
    readonly sequence: number,
    /** The caller's `jobId`, if it gave one. */
    readonly jobId: string | undefined,
    readonly name: string,
    readonly data: unknown,
    readonly priority: number,
    readonly maxAttempts: number,
  ) {}

  /**
   * The `jobId`, or the sequence number as a string. Made on demand rather than stored: a backlog of
   * waiting jobs then holds no id strings (garbage collection dominates a queued job's cost).
   */
  get id(): string {
    return this.jobId ?? String(this.sequence)
  }

  /** The rarely needed parts, created on first use. */
  extrasOrNew(): JobExtras {
    if (this.extras === undefined) this.extras = {}
    return this.extras
  }

  /** As the first attempt's context, it always is attempt 1. */
  get attempt(): number {
    return 1
  }

  get signal(): AbortSignal {
    const extras = this.extrasOrNew()
    if (extras.controller === undefined) {
      extras.controller = new AbortController()
      if (extras.abortReason !== undefined) extras.controller.abort(extras.abortReason)
    }
    return extras.controller.signal
  }

  /** Aborts the first attempt's signal (now, or as soon as it is read); only the first reason counts. */
  abort(reason: unknown): void {
    const extras = this.extrasOrNew()
    if (extras.abortReason !== undefined) return
    extras.abortReason = reason
    extras.controller?.abort(reason)
  }

  /** The context of the running (or last) attempt. */
  get currentContext(): AbortableContext {
    return this.attemptsStarted <= 1 ? this : this.extras!.retryContext!
  }

  /** A frozen copy for events, reports and `onError`, so a listener that keeps it sees it unchanged. */
  info(): JobInfo {
    return Object.freeze({
      id: this.id,
      name: this.name,
      data: this.data,
      attempt: this.attemptsStarted,
      maxAttempts: this.maxAttempts,
      priority: this.priority,
    })
  }
}
