import type { BackoffOptions } from './backoff.js'
import type { JobHandlers, JobInfo } from './task-queue-types.js'

/** Options both backends share. */
export interface TaskQueueOptions<H extends JobHandlers> {
  /**
   * One handler per job name. The handlers' parameter types type `add()` and `result()`.
   *
   * @example
   * new TaskQueue({ handlers: { sendEmail: async (mail: { to: string }, job) => send(mail, job.signal) } })
   */
  readonly handlers: H
  /**
   * A name for errors, logs and metrics; in the BullMQ backend, the queue's name in Redis (no `:`).
   *
   * @default 'tasks' (required in the BullMQ backend)
   * @example new TaskQueue({ name: 'mail', handlers })
   */
  readonly name?: string | undefined
  /**
   * How many jobs run at once (per process in the BullMQ backend).
   *
   * @default 1 (as BullMQ's worker)
   * @example new TaskQueue({ handlers, concurrency: 8 })
   */
  readonly concurrency?: number | undefined
  /**
   * How many jobs may wait (ready or delayed) before `add()` rejects with `QueueFullError`. Running
   * jobs do not count, and retries of accepted jobs are never refused. `Infinity` removes the bound.
   *
   * @default 10_000
   * @example new TaskQueue({ handlers, maxSize: 1_000 })
   */
  readonly maxSize?: number | undefined
  /**
   * How many times a failed attempt is tried again before the job goes to the dead letters.
   *
   * @default 0
   * @example new TaskQueue({ handlers, retries: 3 })
   */
  readonly retries?: number | undefined
  /**
   * The wait before each retry.
   *
   * @default { type: 'exponential', delayMs: 1_000, jitter: true, maxDelayMs: 300_000 }
   * @example new TaskQueue({ handlers, retries: 3, backoff: { type: 'exponential', delayMs: 100, jitter: true } })
   */
  readonly backoff?: BackoffOptions | undefined
  /**
   * Fails an attempt that runs longer than this with `JobTimeoutError` (and aborts its signal); the
   * job is retried if it has retries left.
   *
   * @default undefined (no limit)
   * @example new TaskQueue({ handlers, timeoutMs: 30_000 })
   */
  readonly timeoutMs?: number | undefined
  /**
   * How many completed jobs (with their results) are kept for `result(id)` and `jobId`
   * deduplication; the oldest go first. In the BullMQ backend this is `removeOnComplete: { count }`,
   * so Redis does not grow without bound (BullMQ keeps every completed job unless told).
   *
   * @default 1_000
   * @example new TaskQueue({ handlers, keepCompleted: 100 })
   */
  readonly keepCompleted?: number | undefined
  /**
   * How many failed jobs the dead-letter list keeps; the oldest go first. In the BullMQ backend this
   * is `removeOnFail: { count }`.
   *
   * @default 1_000
   * @example new TaskQueue({ handlers, maxDeadLetters: 10_000 })
   */
  readonly maxDeadLetters?: number | undefined
  /**
   * Called once for every job that fails for good, with the job (id, name, data, attempts). An error
   * it throws itself is logged, never lost.
   *
   * @default logs `[loopwork] job "<name>" (id <id>) of queue "<queue>" failed:` and the error, unless
   * a `failed` listener is attached
   * @example new TaskQueue({ handlers, onError: (error, job) => logger.error({ err: error, job: job.name }) })
   */
  readonly onError?: ((error: unknown, job: JobInfo) => void) | undefined
}
