import { abortErrorFor, adoptThenable } from '@loopwork/internal'
import PQueue from 'p-queue'
import { JobFailedError, JobNotFoundError, UnrecoverableJobError } from './errors.js'
import { AttemptContext } from './internal/attempt-context.js'
import { settleWithin } from './internal/attempt-timeout.js'
import { backoffDelay } from './internal/backoff.js'
import { deadlinePassed } from './internal/deadline-passed.js'
import { emitSafely } from './internal/error-reporting.js'
import { reportJobFailure } from './internal/job-failure-report.js'
import { JobRegistry } from './internal/job-registry.js'
import { queueFullError } from './internal/job-request.js'
import { type AbortableContext, MemoryJob } from './internal/memory-job.js'
import { IDLE_EVENT } from './internal/queue-events.js'
import {
  concurrencyOption,
  resolveQueueSettings,
  sharedQueueSchema,
} from './internal/queue-settings.js'
import { ReadyJobs } from './internal/ready-jobs.js'
import { resultAbortMessage, takeWaiters, waitForResult } from './internal/result-waiter.js'
import { TaskQueueBase } from './internal/task-queue-base.js'
import type {
  AddJobOptions,
  CloseOptions,
  CloseReport,
  DeadLetter,
  JobHandlers,
  TaskQueueApi,
  TaskQueueOptions,
  TaskQueueStats,
} from './task-queue-options.js'

/**
 * A task queue with in-process workers, built on p-queue: typed handlers, a bounded wait, concurrency,
 * priorities, delays, retries with backoff, per-attempt timeouts, `jobId` deduplication, a bounded
 * dead-letter list and a graceful `close()`. Handlers run in the async context (AsyncLocalStorage)
 * of the `add()` call, also on retries and after delays.
 *
 * At most once on a crash: jobs live in this process's memory, so jobs not finished when the process
 * dies are lost. For at-least-once delivery across processes and machines, use the same interface
 * from `@loopwork/background-tasks/bullmq`.
 *
 * @example
 * import { TaskQueue } from '@loopwork/background-tasks'
 *
 * const queue = new TaskQueue({
 *   name: 'mail',
 *   handlers: { sendEmail: async (mail: { to: string }, job) => send(mail, job.signal) },
 *   concurrency: 8,
 *   retries: 3,
 * })
 * const id = await queue.add('sendEmail', { to: 'a@b.c' })
 * await queue.result(id) // only if you want to wait for the outcome
 */
export class TaskQueue<H extends JobHandlers> extends TaskQueueBase<H> implements TaskQueueApi<H> {
  readonly #queue: PQueue
  readonly #jobs: JobRegistry
  readonly #ready = new ReadyJobs()
  #waiting = 0
  #delayed = 0
  #running = 0
  #returned: MemoryJob[] = []
  #onQuiet: (() => void) | undefined
  #idleWaiters: (() => void)[] = []

  /**
   * Throws a `TypeError` or `RangeError` (code `LOOPWORK_INVALID_OPTION`) naming the option for a
   * bad or unknown option, or handlers that are not functions.
   */
  constructor(options: TaskQueueOptions<H>) {
    super(resolveQueueSettings('TaskQueue options', options, sharedQueueSchema, 'tasks'))
    this.#queue = new PQueue({ concurrency: this.settings.concurrency })
    this.#jobs = new JobRegistry(this.settings.keepCompleted, this.settings.maxDeadLetters)
  }

  /** How many jobs run at once; raising it starts waiting jobs at once. */
  get concurrency(): number {
    return this.#queue.concurrency
  }

  /**
   * Changes how many jobs run at once while the queue runs; raising it starts waiting jobs at once,
   * lowering it stops no running job. A value that is not a positive integer throws a `TypeError`
   * or `RangeError` with code `LOOPWORK_INVALID_OPTION`.
   */
  set concurrency(value: number) {
    this.#queue.concurrency = concurrencyOption('concurrency', value)
  }

  /** Registers a checked job and queues it, or delays it; a known `jobId` resolves with that id. */
  protected override accept(
    name: string,
    data: unknown,
    options: AddJobOptions | undefined,
  ): Promise<string> {
    const jobId = options?.jobId
    if (jobId !== undefined && this.#jobs.get(jobId) !== undefined) return Promise.resolve(jobId)
    if (this.#waiting + this.#delayed >= this.settings.maxWaiting) {
      throw queueFullError(this.settings)
    }
    const retries = options?.retries ?? this.settings.retries
    const job = new MemoryJob(
      this.#jobs.nextSequence(),
      jobId,
      name,
      data,
      options?.priority ?? 0,
      retries + 1,
    )
    this.#jobs.add(job)
    const delayMs = options?.delayMs
    if (delayMs !== undefined && delayMs > 0) this.#delay(job, delayMs)
    else this.#enqueue(job)
    return Promise.resolve(job.id)
  }

  /** Answers from the job's state while it is retained: at once when it finished, else once it does. */
  protected override resultOf(id: string, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted) {
      return Promise.reject(abortErrorFor(resultAbortMessage(this.name, id), signal))
    }
    const job = this.#jobs.get(id)
    if (job === undefined) return Promise.reject(new JobNotFoundError(this.name, id))
    if (job.state === 'completed') return Promise.resolve(job.outcome)
    if (job.state === 'failed') {
      return Promise.reject(new JobFailedError(job.id, job.name, job.attemptsStarted, job.outcome))
    }
    return waitForResult(this.name, job, signal)
  }

  /** A snapshot of the queue's state and counters, as a fresh object. */
  stats(): TaskQueueStats {
    return this.snapshot(this.#waiting, this.#delayed, this.#running, this.#jobs.deadLetterCount)
  }

  /** The same as `stats()`; exists so code written for the BullMQ backend works unchanged. */
  refreshStats(): Promise<TaskQueueStats> {
    return Promise.resolve(this.stats())
  }

  /** The jobs that used up their attempts, oldest first, at most `maxDeadLetters`. */
  deadLetters(): Promise<DeadLetter[]> {
    return Promise.resolve(this.#jobs.deadLetters())
  }

  /** Resolves once no job is waiting, delayed or running (at once if none is). */
  onIdle(): Promise<void> {
    if (this.#jobs.unfinished === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Stops starting jobs; running ones go on, new ones are still accepted. */
  pause(): void {
    this.paused = true
    this.#queue.pause()
  }

  /** Starts jobs again after `pause()`. */
  resume(): void {
    this.paused = false
    this.#queue.start()
  }

  /**
   * Graceful shutdown: refuses new jobs at once, hands back delayed jobs and retries still in
   * backoff, lets queued and running jobs finish until `timeoutMs` (queued ones stay put while
   * paused), then aborts running jobs through their signal and hands back what never started.
   * Resolves (never rejects for the jobs' sake) with the report; calling it again returns the same.
   * Rejects only for bad options.
   */
  close(options?: CloseOptions): Promise<CloseReport> {
    return this.closing.close(options, (timeoutMs) => this.#shutDown(timeoutMs))
  }

  #delay(job: MemoryJob, delayMs: number): void {
    job.state = 'delayed'
    this.#delayed++
    // Not unref'd, unlike the package's timeouts: a delayed job is accepted work, and its timer keeps
    // the process alive until it runs. close() clears it and hands the job back.
    const extras = job.extrasOrNew()
    extras.timer = setTimeout(() => {
      extras.timer = undefined
      this.#delayed--
      this.#enqueue(job)
    }, delayMs)
  }

  // The promise p-queue returns never rejects: attempts catch everything, and the promises of tasks
  // `clear()` removes are marked handled by p-queue itself. So it needs no handler of its own.
  #enqueue(job: MemoryJob): void {
    job.state = 'waiting'
    this.#waiting++
    this.#ready.push(job.sequence, job.priority)
    void this.#queue.add(
      this.#startNext,
      job.priority === 0 ? undefined : { priority: job.priority },
    )
  }

  /** The one function every p-queue task runs: it starts the next ready job (see `ReadyJobs`). */
  readonly #startNext = (): PromiseLike<unknown> | undefined => {
    const sequence = this.#ready.shift()
    const job = sequence === undefined ? undefined : this.#jobs.bySequence(sequence)
    return job === undefined ? undefined : this.#attempt(job)
  }

  /** The task p-queue runs: starts the handler; the promise it returns settles with the attempt. */
  #attempt(job: MemoryJob): PromiseLike<unknown> | undefined {
    if (job.state !== 'waiting') return undefined
    this.#waiting--
    this.#running++
    job.state = 'running'
    const context = this.#nextAttempt(job)
    const handler = this.settings.handlers.get(job.name)!
    let returned: unknown
    let promise: Promise<unknown> | undefined
    try {
      returned = handler(job.data, context)
      // A thenable is adopted once (a lazy query builder must not run twice); a `then` that throws
      // becomes a rejection handled here instead of escaping into p-queue.
      promise = adoptThenable(returned)
    } catch (error) {
      this.#attemptFailed(job, context, error)
      return undefined
    }
    if (promise === undefined) {
      this.#attemptSucceeded(job, context, returned)
      return undefined
    }
    const timeoutMs = this.settings.timeoutMs
    if (timeoutMs !== undefined) {
      return settleWithin(this.name, promise, timeoutMs, context, {
        succeeded: (value) => this.#attemptSucceeded(job, context, value),
        failed: (error) => this.#attemptFailed(job, context, error),
      })
    }
    // Reactions rather than an async function: they allocate less per job (measured), and the job's
    // cost is mostly garbage collection.
    return promise.then(
      (value) => this.#attemptSucceeded(job, context, value),
      (error: unknown) => this.#attemptFailed(job, context, error),
    )
  }

  #nextAttempt(job: MemoryJob): AbortableContext {
    const attempt = ++job.attemptsStarted
    if (attempt === 1) return job
    const context = new AttemptContext(job.id, job.name, attempt, job.maxAttempts)
    job.extrasOrNew().retryContext = context
    return context
  }

  /** Whether `context` is still the running attempt (not one a timeout or `close()` already ended). */
  #current(job: MemoryJob, context: AbortableContext): boolean {
    return job.state === 'running' && context.attempt === job.attemptsStarted
  }

  #attemptSucceeded(job: MemoryJob, context: AbortableContext, value: unknown): void {
    if (!this.#current(job, context)) return
    this.#running--
    job.state = 'completed'
    job.outcome = value
    this.completed++
    this.#jobs.completed(job)
    const waiters = takeWaiters(job)
    if (waiters !== undefined) {
      for (let waiter = waiters.shift(); waiter !== undefined; waiter = waiters.shift()) {
        waiter.resolve(value)
      }
    }
    if (this.listenerCount('complete') !== 0) {
      emitSafely(`queue "${this.name}"`, () =>
        this.emit('complete', { job: job.info(), result: value }),
      )
    }
    this.#afterFinish()
  }

  #attemptFailed(job: MemoryJob, context: AbortableContext, error: unknown): void {
    if (!this.#current(job, context)) return
    this.#running--
    if (job.attemptsStarted < job.maxAttempts && !(error instanceof UnrecoverableJobError)) {
      this.#retry(job, error)
      return
    }
    job.state = 'failed'
    job.outcome = error
    job.extrasOrNew().failedAt = Date.now()
    this.failed++
    this.#jobs.failed(job)
    this.#rejectWaiters(job, new JobFailedError(job.id, job.name, job.attemptsStarted, error))
    reportJobFailure(this, this.name, this.settings.onError, job.info(), error)
    this.#afterFinish()
  }

  #retry(job: MemoryJob, error: unknown): void {
    this.retried++
    const delayMs = backoffDelay(this.settings.backoff, job.attemptsStarted)
    if (this.listenerCount('retry') !== 0) {
      emitSafely(`queue "${this.name}"`, () =>
        this.emit('retry', { job: job.info(), error, delayMs }),
      )
    }
    if (this.closing.started && delayMs > 0) {
      this.#handBack(job)
      this.#afterFinish()
    } else if (delayMs > 0) {
      this.#delay(job, delayMs)
    } else {
      this.#enqueue(job)
    }
  }

  #rejectWaiters(job: MemoryJob, error: Error): void {
    const waiters = takeWaiters(job)
    if (waiters === undefined) return
    for (let waiter = waiters.shift(); waiter !== undefined; waiter = waiters.shift()) {
      waiter.reject(error)
    }
  }

  #afterFinish(): void {
    if (this.#onQuiet !== undefined && this.#quiet()) {
      this.#onQuiet()
      this.#onQuiet = undefined
    }
    if (this.#jobs.unfinished !== 0) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const resolve of waiters) resolve()
    if (this.listenerCount('idle') !== 0) {
      emitSafely(`queue "${this.name}"`, () => this.emit('idle', IDLE_EVENT))
    }
  }

  /** Nothing runs, and nothing queued will run before the deadline (none, or the queue is paused). */
  #quiet(): boolean {
    return this.#running === 0 && (this.#waiting === 0 || this.paused)
  }

  /** Takes an accepted job that never started out of the queue and into the close report. */
  #handBack(job: MemoryJob): void {
    if (job.state === 'delayed') {
      clearTimeout(job.extras?.timer)
      job.extras!.timer = undefined
      this.#delayed--
    } else if (job.state === 'waiting') {
      this.#waiting--
    }
    job.state = 'returned'
    this.#jobs.drop(job)
    this.#returned.push(job)
    this.#rejectWaiters(job, this.closing.error(`job ${job.id} never started`))
  }

  async #shutDown(timeoutMs: number): Promise<CloseReport> {
    for (const job of this.#jobs.unfinishedJobs()) {
      if (job.state === 'delayed') this.#handBack(job)
    }
    const quiet = new Promise<void>((resolve) => {
      this.#onQuiet = resolve
    })
    if (this.#quiet()) this.#onQuiet?.()
    const timedOut = await deadlinePassed(quiet, timeoutMs)
    this.#onQuiet = undefined
    const aborted: MemoryJob[] = []
    for (const job of this.#jobs.unfinishedJobs()) {
      if (job.state === 'waiting') this.#handBack(job)
      else if (job.state === 'running') aborted.push(this.#interrupt(job))
    }
    this.#queue.clear()
    this.#ready.clear()
    this.#afterFinish()
    return {
      timedOut,
      aborted: aborted.map((job) => job.info()),
      notStarted: this.#returned.map((job) => job.info()),
    }
  }

  #interrupt(job: MemoryJob): MemoryJob {
    const context = job.currentContext
    this.#running--
    job.state = 'interrupted'
    this.#jobs.drop(job)
    const reason = this.closing.error(`job ${job.id} was still running at the close() deadline`)
    this.#rejectWaiters(job, reason)
    context.abort(reason)
    return job
  }
}
