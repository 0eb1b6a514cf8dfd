import { EventEmitter } from 'eventemitter3'
import type {
  AddArguments,
  AddJobOptions,
  JobHandlers,
  JobId,
  JobName,
  JobResult,
  ResultOptions,
  TaskQueueEvents,
  TaskQueueStats,
} from '../task-queue-options.js'
import { checkJobRequest } from './job-request.js'
import { QueueClosing } from './queue-closing.js'
import type { QueueSettings } from './queue-settings.js'
import { resultSignalOf } from './result-waiter.js'

/**
 * What every `TaskQueue` backend (in memory, SQLite, BullMQ) does the same way: the checked
 * options, the typed `add()` and `result()` with the checks they make before the backend sees the
 * call, the closing state, and this queue object's counters in `stats()`. A backend stores, runs
 * and answers jobs its own way, through `accept()` and `resultOf()`.
 */
export abstract class TaskQueueBase<H extends JobHandlers> extends EventEmitter<TaskQueueEvents> {
  /**
   * The queue's name (the `name` option), used in errors, logs, metrics and `stats().name`; in
   * SQLite and BullMQ, every process that uses the same name (on the same file, or Redis) shares
   * the queue.
   */
  readonly name: string
  /** The options, checked, with every default filled in. */
  protected readonly settings: QueueSettings
  /** The `close()` state: whether the queue still accepts work, and its `ClosedError`. */
  protected readonly closing: QueueClosing
  /** Jobs this queue object completed (`stats().completed`). */
  protected completed = 0
  /** Jobs this queue object saw fail for good (`stats().failed`). */
  protected failed = 0
  /** Failed attempts this queue object scheduled again (`stats().retried`). */
  protected retried = 0
  /** Whether `pause()` is in effect (`stats().paused`). */
  protected paused = false

  protected constructor(settings: QueueSettings) {
    super()
    this.settings = settings
    this.name = settings.name
    this.closing = new QueueClosing(settings.name)
  }

  /**
   * Enqueues a job and resolves with its id once it is accepted, never waiting for it to run (use
   * `result(id)` for that): at once in memory, once committed in SQLite (the adds of one turn of
   * the event loop commit in one transaction), once Redis stored it in BullMQ. In memory the
   * handler runs in the `AsyncLocalStorage` context of this call, in SQLite too when this process
   * runs the job.
   *
   * Rejects, with nothing enqueued, on an unknown job name (`UnknownJobError`), data that is not
   * JSON (`JobDataError`), bad or unknown options (`TypeError`/`RangeError` with code
   * `LOOPWORK_INVALID_OPTION`), `maxWaiting` jobs already waiting (`QueueFullError`; waiting and
   * delayed jobs, queue-wide in SQLite and BullMQ) or a closed queue (`ClosedError`). A `jobId`
   * the queue still holds resolves with that id and enqueues nothing.
   *
   * In the durable backends `add()` settles also when the store does not answer: SQLite rejects
   * with a `TimeoutError` when another process held the file's write lock for longer than
   * `addTimeoutMs` (nothing was enqueued); BullMQ rejects with a `TimeoutError` when Redis did not
   * answer within `addTimeoutMs`, or with a `ClosedError` when `close()` ends first, and then the
   * job may or may not be stored (ioredis may still deliver the command once Redis is back, unless
   * the queue closed): adding it again with the same `jobId` is safe.
   */
  add<N extends JobName<H>>(name: N, ...rest: AddArguments<H, N>): Promise<JobId<N>>
  add(name: string, data?: unknown, options?: AddJobOptions): Promise<string> {
    try {
      return this.accept(name, this.checkedData(name, data, options), options)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Waits for a job's outcome, wherever it runs: resolves with its handler's result (stored as
   * JSON in SQLite and BullMQ, so read back as JSON), rejects with `JobFailedError` (the last
   * error as `cause`) once it used up its attempts, `JobNotFoundError` for an id the queue does
   * not hold (never added, or no longer retained: `keepCompleted`, `maxDeadLetters`),
   * `ClosedError` when the queue closes before the job finished (in SQLite and BullMQ, also once
   * this queue object is closed), and an `AbortError` (whose `cause` is the signal's reason) when
   * the `signal` option aborts; the job itself goes on. Awaiting is optional: an unobserved job
   * never causes an unhandled rejection.
   */
  result<N extends JobName<H>>(id: JobId<N>, options?: ResultOptions): Promise<JobResult<H, N>>
  result(id: string, options?: ResultOptions): Promise<unknown> {
    try {
      return this.resultOf(id, resultSignalOf(options))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Refuses a job while the queue is closed, then checks the request (see `checkJobRequest`);
   * returns the data as the job keeps it.
   */
  protected checkedData(name: string, data: unknown, options: AddJobOptions | undefined): unknown {
    if (this.closing.started) throw this.closing.error()
    return checkJobRequest(this.settings, name, data, options)
  }

  /**
   * Enqueues a job `add()` checked; resolves with its id once it is accepted. What it throws,
   * `add()` rejects with.
   */
  protected abstract accept(
    name: string,
    data: unknown,
    options: AddJobOptions | undefined,
  ): Promise<string>

  /** Answers a `result()` call whose options were checked. What it throws, `result()` rejects with. */
  protected abstract resultOf(id: string, signal: AbortSignal | undefined): Promise<unknown>

  /**
   * A `stats()` snapshot: the counts the backend read (its own, or queue-wide), with this queue
   * object's counters and state.
   */
  protected snapshot(
    waiting: number,
    delayed: number,
    running: number,
    deadLetters: number,
  ): TaskQueueStats {
    return {
      name: this.name,
      waiting,
      delayed,
      running,
      completed: this.completed,
      failed: this.failed,
      retried: this.retried,
      deadLetters,
      paused: this.paused,
      closed: this.closing.started,
    }
  }
}
