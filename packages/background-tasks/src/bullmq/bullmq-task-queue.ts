import { abortErrorFor, startTimer, TimeoutError } from '@loopwork/internal'
import { type Job, type JobsOptions, Queue, Worker } from 'bullmq'
import { backoffDelay } from '../internal/backoff.js'
import {
  countPending,
  NO_COUNTS,
  type QueueCounts,
  readCounts,
} from '../internal/bullmq/bullmq-counts.js'
import { forceClose, forceCloseWorker } from '../internal/bullmq/bullmq-force-close.js'
import { deadLetterOf, jobInfoOf, toBullMQPriority } from '../internal/bullmq/bullmq-job-info.js'
import { createProcessor, type RunningJob } from '../internal/bullmq/bullmq-processor.js'
import { BullMQResults } from '../internal/bullmq/bullmq-results.js'
import {
  type BullMQSettings,
  bullMQQueueSchema,
  resolveBullMQSettings,
} from '../internal/bullmq/bullmq-settings.js'
import { deadlinePassed } from '../internal/deadline-passed.js'
import { emitSafely, toError } from '../internal/error-reporting.js'
import { reportJobFailure } from '../internal/job-failure-report.js'
import { queueFullError } from '../internal/job-request.js'
import { IDLE_EVENT, reportQueueError } from '../internal/queue-events.js'
import { concurrencyOption, resolveQueueSettings } from '../internal/queue-settings.js'
import { resultAbortMessage } from '../internal/result-waiter.js'
import { TaskQueueBase } from '../internal/task-queue-base.js'
import type {
  AddJobOptions,
  CloseOptions,
  CloseReport,
  DeadLetter,
  JobHandlers,
  JobInfo,
  TaskQueueApi,
  TaskQueueStats,
} from '../task-queue-options.js'
import type { BullMQTaskQueueOptions } from './bullmq-options.js'

/** The BullMQ backoff type our jobs carry, computed by our formula (the same as the in-memory backend's). */
const BACKOFF_TYPE = 'loopwork'
/**
 * The most `close()` keeps of its deadline for handing interrupted jobs back to Redis and closing
 * its connections (a fifth of the deadline when that is shorter).
 */
export const HAND_BACK_GRACE_MS = 1_000
/** How often `onIdle()` looks at the queue-wide counts when no local event wakes it earlier. */
const IDLE_POLL_MS = 100
/** The most jobs `close()` lists as not started when `maxWaiting` sets no bound. */
const MAX_LISTED_NOT_STARTED = 10_000
/** The error of a bound without a timeout, which never fires. */
const unreachable = (): Error => new Error('no timeout was set')

/**
 * The `TaskQueue` interface on BullMQ over Redis, for work that must outlive a process or spread
 * over several: every process constructed with the same `name` shares the jobs, and each one with
 * `consume` (the default) runs them with `concurrency` workers.
 *
 * At-least-once: a job whose worker dies mid-run is handed to another worker once its lease
 * (`lockDurationMs`) has run out (stalled-job recovery), so a handler may run more than once for
 * one job; make handlers idempotent. Jobs interrupted by `close()` go straight back to waiting.
 * Finished jobs are kept in Redis only up to `keepCompleted`/`maxDeadLetters` each.
 *
 * @example
 * import { TaskQueue } from '@loopwork/background-tasks/bullmq'
 *
 * const queue = new TaskQueue({
 *   name: 'mail',
 *   connection: process.env.REDIS_URL,
 *   concurrency: 8,
 *   retries: 3,
 *   handlers: { sendEmail: async (mail: { to: string }, job) => send(mail, job.signal) },
 * })
 * const id = await queue.add('sendEmail', { to: 'a@b.c' })
 */
export class TaskQueue<H extends JobHandlers> extends TaskQueueBase<H> implements TaskQueueApi<H> {
  readonly #bullmq: BullMQSettings
  readonly #queue: Queue
  readonly #worker: Worker | undefined
  readonly #results: BullMQResults
  readonly #running = new Map<string, RunningJob>()
  readonly #retryDelays = new Map<string, number>()
  #counts: QueueCounts = NO_COUNTS
  #countsReadAt = Number.NEGATIVE_INFINITY
  #refreshing: Promise<TaskQueueStats> | undefined
  #busySinceDrained = false
  #wakeIdleWaiters: (() => void)[] = []
  /** Ends a call still waiting for Redis with an error; `close()` ends every one still here. */
  readonly #pendingCalls = new Set<(error: Error) => void>()

  /**
   * Connects to Redis and, unless `consume` is `false`, starts this process's worker at once.
   * Throws a `TypeError` or `RangeError` (code `LOOPWORK_INVALID_OPTION`) naming the option for a
   * bad or unknown option.
   */
  constructor(options: BullMQTaskQueueOptions<H>) {
    super(resolveQueueSettings('BullMQ TaskQueue options', options, bullMQQueueSchema, undefined))
    this.#bullmq = resolveBullMQSettings(options as BullMQTaskQueueOptions<never>)
    const base = { connection: this.#bullmq.connection, prefix: this.#bullmq.prefix }
    this.#queue = new Queue(this.name, base)
    this.#queue.on('error', this.#onInfrastructureError)
    this.#results = new BullMQResults(this.#queue, base, this.#onInfrastructureError)
    this.#worker = this.#bullmq.consume ? this.#createWorker(base) : undefined
  }

  /** How many jobs this process runs at once (undefined for a producer-only queue). */
  get concurrency(): number | undefined {
    return this.#worker?.concurrency
  }

  /**
   * Changes how many jobs this process runs at once; other processes keep their own. A value that
   * is not a positive integer throws a `TypeError` or `RangeError` with code
   * `LOOPWORK_INVALID_OPTION`. On a producer-only queue (`consume: false`) it is checked and
   * otherwise ignored.
   */
  set concurrency(value: number) {
    const concurrency = concurrencyOption('concurrency', value)
    if (this.#worker !== undefined) this.#worker.concurrency = concurrency
  }

  /**
   * Stores a checked job in Redis, bounded by `addTimeoutMs` and by `close()` (see `#bounded`): a
   * `TimeoutError` says that Redis did not answer in time.
   */
  protected override accept(
    name: string,
    data: unknown,
    options: AddJobOptions | undefined,
  ): Promise<string> {
    const timeoutMs = this.#bullmq.addTimeoutMs
    return this.#bounded(this.#store(name, data, options), timeoutMs, () => {
      const error = new TimeoutError(
        `add() of job ${JSON.stringify(name)} to task queue "${this.name}" got no answer from Redis within addTimeoutMs (${timeoutMs} ms); the job may or may not be stored (add it again with the same jobId to be sure)`,
        timeoutMs,
      )
      return error
    })
  }

  async #store(name: string, payload: unknown, options: AddJobOptions | undefined) {
    await this.#checkRoom(options?.jobId)
    const job = await this.#queue.add(name, payload, this.#jobOptions(options))
    return job.id!
  }

  /**
   * Waits for `work`, a call to Redis, but no longer than `timeoutMs` (then rejects with what
   * `onTimeout` makes) nor past `close()`, which rejects it with a `ClosedError`: while Redis is
   * unreachable ioredis holds commands without a limit, so a call must never depend on its answer
   * to settle.
   */
  #bounded<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>()
    const end = (error: Error) => {
      if (!this.#pendingCalls.delete(end)) return
      clearTimeout(timer)
      reject(error)
    }
    const timer = startTimer(() => end(onTimeout()), timeoutMs)
    this.#pendingCalls.add(end)
    work.then(
      (value) => {
        if (!this.#pendingCalls.delete(end)) return
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => end(toError(error)),
    )
    return promise
  }

  /** Waits through `BullMQResults`, which reads finished jobs and listens for the others. */
  protected override resultOf(id: string, signal: AbortSignal | undefined): Promise<unknown> {
    if (this.closing.started) throw this.closing.error()
    if (signal?.aborted) throw abortErrorFor(resultAbortMessage(this.name, id), signal)
    return this.#results.wait(id, signal)
  }

  /**
   * A snapshot: the counters of this process's worker, and queue-wide counts read from Redis at most
   * `statsMaxAgeMs` ago (older ones are refreshed in the background; `refreshStats()` reads them now).
   */
  stats(): TaskQueueStats {
    const stale = performance.now() - this.#countsReadAt > this.#bullmq.statsMaxAgeMs
    if (stale && !this.closing.started && this.#refreshing === undefined) {
      this.refreshStats().catch(this.#onBackgroundReadError)
    }
    return this.#lastStats()
  }

  /**
   * Reads the queue-wide counts from Redis now and returns the fresh snapshot; after `close()`,
   * the last snapshot. Rejects with a `ClosedError` when `close()` ends while Redis has not
   * answered.
   */
  refreshStats(): Promise<TaskQueueStats> {
    if (this.closing.started) return Promise.resolve(this.#lastStats())
    return this.#bounded(this.#readStats(), Number.POSITIVE_INFINITY, unreachable)
  }

  #readStats(): Promise<TaskQueueStats> {
    this.#refreshing ??= readCounts(this.#queue)
      .then((counts) => {
        this.#counts = counts
        this.#countsReadAt = performance.now()
        return this.#lastStats()
      })
      .finally(() => {
        this.#refreshing = undefined
      })
    return this.#refreshing
  }

  /**
   * The jobs that failed for good and are still retained in Redis (`maxDeadLetters`), oldest
   * first. Rejects with a `ClosedError` when the queue is closed or closes before Redis answered.
   */
  async deadLetters(): Promise<DeadLetter[]> {
    if (this.closing.started) throw this.closing.error()
    const limit = this.settings.maxDeadLetters
    if (limit === 0) return []
    const jobs = await this.#bounded(
      this.#queue.getFailed(0, limit - 1),
      Number.POSITIVE_INFINITY,
      unreachable,
    )
    return jobs
      .filter((job) => job !== undefined)
      .map(deadLetterOf)
      .reverse()
  }

  /** Resolves once no job is waiting, delayed or running anywhere in the queue; at once after `close()`. */
  async onIdle(): Promise<void> {
    while (!this.closing.started) {
      let counts: QueueCounts
      try {
        counts = await this.#bounded(readCounts(this.#queue), Number.POSITIVE_INFINITY, unreachable)
      } catch (error) {
        if (this.closing.started) return
        throw error
      }
      if (counts.waiting + counts.delayed + counts.running === 0) return
      await this.#nextChange()
    }
  }

  /**
   * Stops this process's worker from taking jobs; running ones go on. Other processes are
   * unaffected. A fetch already waiting in Redis at that moment may still start one job (BullMQ's
   * own pause works so).
   */
  pause(): void {
    this.paused = true
    this.#worker?.pause(true).catch(this.#onInfrastructureError)
  }

  /** Lets this process's worker take jobs again. */
  resume(): void {
    this.paused = false
    this.#worker?.resume().catch(this.#onInfrastructureError)
  }

  /**
   * Graceful shutdown, bounded: refuses new jobs, stops taking jobs from Redis, lets running jobs
   * finish until `timeoutMs`, then aborts them through their signal and moves them back to waiting
   * in Redis for the next worker. Unlike BullMQ's own `close()`, it always resolves within
   * `timeoutMs` (plus at most `HAND_BACK_GRACE_MS` when `timeoutMs` is `Infinity`), also when Redis
   * is unreachable; nothing accepted is lost (it stays in Redis). Running jobs get the deadline minus
   * what handing them back needs (a fifth of it, at most `HAND_BACK_GRACE_MS`). The report's
   * `notStarted` lists the queue's waiting and delayed jobs left in Redis (read within the same
   * reserve; empty when Redis did not answer in time). Every call still waiting for Redis
   * (`add()`, `result()`, `refreshStats()`, `deadLetters()`) settles, with a `ClosedError`; the
   * connections this queue made are closed (dropped when Redis does not answer), so no timer or
   * socket is left; a connection you passed in stays open. Rejects only for bad options.
   */
  close(options?: CloseOptions): Promise<CloseReport> {
    return this.closing.close(options, (timeoutMs) => this.#shutDown(timeoutMs))
  }

  #createWorker(base: { connection: BullMQSettings['connection']; prefix: string | undefined }) {
    const worker = new Worker(this.name, createProcessor(this.settings, this.#running), {
      ...base,
      concurrency: this.settings.concurrency,
      lockDuration: this.#bullmq.lockDurationMs,
      stalledInterval: this.#bullmq.stalledIntervalMs,
      maxStalledCount: this.#bullmq.maxStalledCount,
      removeOnComplete: { count: this.settings.keepCompleted },
      removeOnFail: { count: this.settings.maxDeadLetters },
      settings: {
        backoffStrategy: (attemptsMade, _type, _error, job) => this.#backoff(attemptsMade, job),
      },
    })
    worker.on('error', this.#onInfrastructureError)
    worker.on('active', () => {
      this.#busySinceDrained = true
    })
    worker.on('completed', (job, result) => this.#onCompleted(job, result))
    worker.on('failed', (job, error) => this.#onFailed(job, error))
    worker.on('drained', () => this.#maybeIdle())
    return worker
  }

  #jobOptions(options: AddJobOptions | undefined): JobsOptions {
    const retries = options?.retries ?? this.settings.retries
    return {
      jobId: options?.jobId,
      priority: toBullMQPriority(options?.priority ?? 0),
      delay: options?.delayMs,
      attempts: retries + 1,
      backoff: retries > 0 ? { type: BACKOFF_TYPE } : undefined,
      // Per job too, so retention stays bounded whichever worker finishes the job.
      removeOnComplete: { count: this.settings.keepCompleted },
      removeOnFail: { count: this.settings.maxDeadLetters },
    }
  }

  async #checkRoom(jobId: string | undefined): Promise<void> {
    const maxWaiting = this.settings.maxWaiting
    if (maxWaiting === Number.POSITIVE_INFINITY) return
    if ((await countPending(this.#queue)) < maxWaiting) return
    // A duplicate of a known job is answered as in memory: with its id, not with "full".
    if (jobId !== undefined && (await this.#queue.getJob(jobId))) return
    throw queueFullError(this.settings)
  }

  #backoff(attemptsMade: number, job: { id?: string | undefined } | undefined): number {
    const delayMs = backoffDelay(this.settings.backoff, attemptsMade)
    if (job?.id !== undefined) this.#retryDelays.set(job.id, delayMs)
    return delayMs
  }

  #onCompleted(job: Job, result: unknown): void {
    this.completed++
    if (this.listenerCount('complete') !== 0) {
      const info = jobInfoOf(job, job.attemptsMade)
      emitSafely(`queue "${this.name}"`, () => this.emit('complete', { job: info, result }))
    }
    this.#afterJob()
  }

  #onFailed(job: Job | undefined, error: Error): void {
    if (job === undefined) return
    const info = jobInfoOf(job, job.attemptsMade)
    const delayMs = this.#retryDelays.get(info.id) ?? 0
    this.#retryDelays.delete(info.id)
    if (typeof job.finishedOn !== 'number') {
      this.retried++
      if (this.listenerCount('retry') !== 0) {
        emitSafely(`queue "${this.name}"`, () => this.emit('retry', { job: info, error, delayMs }))
      }
    } else {
      this.failed++
      reportJobFailure(this, this.name, this.settings.onError, info, error)
    }
    this.#afterJob()
  }

  #afterJob(): void {
    const waiters = this.#wakeIdleWaiters
    this.#wakeIdleWaiters = []
    for (const wake of waiters) wake()
    this.#maybeIdle()
  }

  /**
   * BullMQ's worker says `drained` whenever its wait list is empty, even with retries still in
   * backoff; `idle` promises more (nothing waiting, delayed or running queue-wide), so the counts
   * are checked first, and only when someone listens.
   */
  #maybeIdle(): void {
    if (!this.#busySinceDrained || this.#running.size !== 0) return
    if (this.listenerCount('idle') === 0 || this.closing.started) return
    this.#busySinceDrained = false
    readCounts(this.#queue).then((counts) => {
      if (counts.waiting + counts.delayed + counts.running !== 0) {
        this.#busySinceDrained = true
        return
      }
      emitSafely(`queue "${this.name}"`, () => this.emit('idle', IDLE_EVENT))
    }, this.#onBackgroundReadError)
  }

  /** Resolves on the next local job event, or after a short poll interval. */
  #nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const timer = startTimer(wake, IDLE_POLL_MS)
      this.#wakeIdleWaiters.push(wake)
      function wake(): void {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  readonly #onInfrastructureError = (error: unknown): void => {
    reportQueueError(this, this.name, `Redis access of queue "${this.name}"`, error)
  }

  /** A read this queue started on its own that lost the race with `close()` is no error. */
  readonly #onBackgroundReadError = (error: unknown): void => {
    if (!this.closing.started) this.#onInfrastructureError(error)
  }

  /** The last queue-wide counts read from Redis, with this queue object's counters. */
  #lastStats(): TaskQueueStats {
    const counts = this.#counts
    return this.snapshot(counts.waiting, counts.delayed, counts.running, counts.deadLetters)
  }

  async #shutDown(timeoutMs: number): Promise<CloseReport> {
    // The last fifth of the deadline (at most HAND_BACK_GRACE_MS) is kept for handing interrupted
    // jobs back to Redis, listing what never started and closing the connections, so close()
    // ends within timeoutMs.
    const reserve = Math.min(HAND_BACK_GRACE_MS, timeoutMs / 5)
    const aborted: JobInfo[] = []
    const worker = this.#worker
    if (worker !== undefined) {
      const closing = worker.close()
      closing.catch(this.#onInfrastructureError)
      if (await deadlinePassed(closing, timeoutMs - reserve)) {
        const reason = this.closing.error('the close() deadline passed while the job ran')
        for (const job of this.#running.values()) {
          aborted.push(job.info)
          job.interrupt(reason)
        }
        if (await deadlinePassed(closing, reserve / 4)) forceCloseWorker(worker)
      }
    }
    const notStarted = await this.#listNotStarted(
      reserve / 4,
      new Set(aborted.map((job) => job.id)),
    )
    const closed = this.closing.error('result() stopped waiting')
    const rest = Promise.all([this.#results.close(closed), this.#queue.close()])
    rest.catch(this.#onInfrastructureError)
    if (await deadlinePassed(rest, reserve / 2)) {
      forceClose(this.#queue)
      this.#results.forceClose()
    }
    const ended = this.closing.error('it closed before Redis answered')
    for (const end of [...this.#pendingCalls]) end(ended)
    for (const wake of this.#wakeIdleWaiters) wake()
    this.#retryDelays.clear()
    return { timedOut: aborted.length > 0, aborted, notStarted }
  }

  /**
   * The jobs left waiting or delayed in Redis (queue-wide, at most `maxWaiting`, or
   * `MAX_LISTED_NOT_STARTED` without a bound), read within `timeoutMs`; jobs this close just
   * handed back are listed as aborted, not here. Empty when Redis did not answer in time.
   */
  async #listNotStarted(timeoutMs: number, aborted: ReadonlySet<string>): Promise<JobInfo[]> {
    const limit = Math.min(this.settings.maxWaiting, MAX_LISTED_NOT_STARTED)
    const reading = this.#queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, limit - 1)
    let jobs: Job[] | undefined
    reading.then(
      (found) => {
        jobs = found
      },
      () => {
        // Redis is unreachable; the report then lists nothing, and the error was reported already.
      },
    )
    await deadlinePassed(reading, timeoutMs)
    if (jobs === undefined) return []
    return jobs
      .filter((job) => job?.id !== undefined && !aborted.has(job.id))
      .map((job) => jobInfoOf(job, job.attemptsMade))
  }
}
