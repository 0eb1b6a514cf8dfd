import { receiveMessageOnPort, type TransferListItem } from 'node:worker_threads'
import {
  type AbortError,
  abortErrorFor,
  ClosedError,
  describeValue,
  LinkedList,
  QueueFullError,
  startInterval,
  startTimer,
  TimeoutError,
} from '@loopwork/internal'
import { EventEmitter } from 'eventemitter3'
import {
  UncloneableValueError,
  UnknownTaskError,
  WorkerCrashedError,
  WorkerStartupError,
} from './errors.js'
import { rehydrateError, type SerializedError } from './internal/error-transport.js'
import { IdleReaper } from './internal/idle-reaper.js'
import { PoolMetrics } from './internal/pool-metrics.js'
import {
  checkRunOptions,
  maxWaitingOption,
  resolveWorkerPoolOptions,
} from './internal/pool-options.js'
import {
  PoolThread,
  type ThreadLaunch,
  type ThreadOwner,
  threadLaunch,
} from './internal/pool-thread.js'
import {
  FULFILLED,
  RESULT_STRIDE,
  THREW_ERROR,
  THREW_VALUE,
  type ThreadControlMessage,
  UNCLONEABLE_RESULT,
  UNKNOWN_TASK,
  type UncloneableResult,
} from './internal/protocol.js'
import { unsupportedRuntime } from './internal/runtime-support.js'
import { HANDED_OVER, QUEUED, SETTLED, type Task, WAITING_FOR_TOKEN } from './internal/task.js'
import { threadDepth } from './internal/thread-reserve.js'
import { isLive, ThreadSet } from './internal/thread-set.js'
import { findUncloneable } from './internal/uncloneable.js'
import type {
  AnyTaskModule,
  RunOptions,
  TaskArgs,
  TaskModule,
  TaskName,
  TaskResult,
  ThreadExitReason,
  ThreadLimiter,
  ThreadLimiterLease,
  WorkerPoolEvents,
  WorkerPoolOptions,
  WorkerPoolStats,
} from './types.js'

/** Consecutive thread deaths before any call started that count as a module that cannot start. */
const MAX_BARREN_CRASHES = 3
const KEEP_ALIVE_INTERVAL_MS = 2 ** 30

type Received = [PoolThread, unknown][]

/**
 * A pool of worker threads that run the exported functions of one module, so CPU-bound or
 * blocking work never stalls the event loop. Calls are governed by a limiter (the process-wide
 * 40-token `CapacityLimiter` unless given another): each call holds a token from the moment it is
 * queued until it settles. Calls and results travel in batches, one message per thread and turn
 * of the event loop, and a thread claims each call through a small shared table, so the main
 * thread spends about 1.5 µs per call.
 *
 * @example
 * const pool = new WorkerPool<typeof import('./tasks.js')>({
 *   module: new URL('./tasks.js', import.meta.url),
 * })
 * const n = await pool.run('fib', [30], { timeoutMs: 1_000 })
 * await pool.close()
 */
export class WorkerPool<
  M extends TaskModule = AnyTaskModule,
> extends EventEmitter<WorkerPoolEvents> {
  /** The pool's name, used in errors, events and metrics. */
  readonly name: string
  /** The task module, as the `file:` URL the threads load. */
  readonly module: string
  /** The limiter that caps calls in flight. */
  readonly limiter: ThreadLimiter
  /** Threads kept alive even when idle. */
  readonly minThreads: number
  /** The most threads the pool runs. */
  readonly maxThreads: number
  /** How long a thread above `minThreads` may stay idle, in milliseconds (`Infinity`: for good). */
  readonly idleTimeoutMs: number
  #maxWaiting: number
  readonly #launch: ThreadLaunch
  readonly #threads: ThreadSet
  readonly #reaper: IdleReaper
  readonly #metrics = new PoolMetrics()
  /** Calls holding a token, waiting for a thread. */
  readonly #queue = new LinkedList<Task>()
  /** Calls waiting for a token. */
  readonly #waiting = new LinkedList<Task>()
  #pumpScheduled = false
  #unsettled = 0
  #state: 'open' | 'closing' | 'destroyed' = 'open'
  #failure: { readonly cause: unknown } | undefined
  #closed: Promise<void> | undefined
  #drained: (() => void) | undefined
  #barrenCrashes = 0
  /** What the threads report to; kept private so the pool's public surface stays the documented one. */
  readonly #owner: ThreadOwner = {
    onThreadMessage: (thread, message) => this.#onThreadMessage(thread, message),
    onThreadError: (thread, error) => {
      thread.error = error
    },
    onThreadExit: (thread, exitCode) => this.#onThreadExit(thread, exitCode),
    onPostFailed: (task, error) => this.#reject(task, uncloneableArguments(task, error)),
  }
  /** Ref'd exactly while calls are unsettled: threads and ports are unref'd, so an idle pool never holds the process. */
  #keepAlive: ReturnType<typeof setInterval> | undefined

  /**
   * Throws a `TypeError`/`RangeError` (code `LOOPWORK_INVALID_OPTION`) for a bad option, and an
   * `UnsupportedRuntimeError` where the runtime cannot run the pool as asked: on Cloudflare Workers
   * (no worker threads), and with `resourceLimits` on Bun (ignored) or Deno (a thread over its
   * heap limit hangs instead of exiting).
   */
  constructor(options: WorkerPoolOptions) {
    super()
    const resolved = resolveWorkerPoolOptions(options)
    const refusal = unsupportedRuntime(resolved)
    if (refusal !== undefined) throw refusal
    this.module = resolved.module
    this.name = resolved.name
    this.limiter = resolved.limiter
    this.minThreads = resolved.minThreads
    this.maxThreads = resolved.maxThreads
    this.idleTimeoutMs = resolved.idleTimeoutMs
    this.#maxWaiting = resolved.maxWaiting
    this.#launch = threadLaunch(resolved)
    this.#threads = new ThreadSet(this.maxThreads)
    this.#reaper = new IdleReaper(this.#threads, this.minThreads, this.idleTimeoutMs)
    this.#keepAlive = startInterval(() => {}, KEEP_ALIVE_INTERVAL_MS)
    for (let index = 0; index < this.minThreads; index++) this.#spawn()
  }

  /**
   * How many calls may wait before `run` rejects with `QueueFullError` (see the `maxWaiting`
   * option). Lowering it sheds no one already waiting: new calls are refused until fewer wait.
   */
  get maxWaiting(): number {
    return this.#maxWaiting
  }

  /**
   * Changes the bound while the pool runs, for example from a config reload. A value that is not
   * an integer from 0 or `Infinity` throws a `TypeError` or `RangeError` with code
   * `LOOPWORK_INVALID_OPTION`, and the bound stays as it was.
   */
  set maxWaiting(value: number) {
    this.#maxWaiting = maxWaitingOption('maxWaiting', value)
  }

  /**
   * Runs the exported function `name` of the module in a thread with `args` (structured-cloned, or
   * moved with `transfer`), and resolves with its result. The call first takes a token from the
   * limiter, then waits for a thread.
   */
  run<K extends TaskName<M>>(
    name: K,
    args: TaskArgs<M, K>,
    options?: RunOptions,
  ): Promise<TaskResult<M, K>> {
    return this.#submit(name, args as unknown[], options) as Promise<TaskResult<M, K>>
  }

  #submit(name: string, args: unknown[], options: RunOptions | undefined): Promise<unknown> {
    const refusal = this.#refusal(name, args)
    if (refusal !== undefined) return Promise.reject(refusal)
    let signal: AbortSignal | undefined
    let timeoutMs: number | undefined
    let transfer: readonly TransferListItem[] | undefined
    if (options !== undefined) {
      try {
        ;({ signal, timeoutMs, transfer } = checkRunOptions(options))
      } catch (error) {
        return Promise.reject(error)
      }
      if (signal?.aborted) return Promise.reject(this.#abortError(name, signal))
      // No limit at all: no timer, and the call may share its thread like any other.
      if (timeoutMs === Number.POSITIVE_INFINITY) timeoutMs = undefined
    }
    const guarded = signal !== undefined || timeoutMs !== undefined
    let lease: ThreadLimiterLease | undefined
    try {
      lease = this.limiter.tryAcquire()
    } catch (error) {
      // A limiter of the user's own that throws fails the call instead of throwing from run().
      return Promise.reject(error)
    }
    // Waiting calls are fewer than the accepted ones, so the count is needed only near the bound.
    if (this.#unsettled >= this.#maxWaiting && this.#wouldWaitPastBound(lease !== undefined)) {
      lease?.release()
      return Promise.reject(
        new QueueFullError(
          `Worker pool "${this.name}" already has maxWaiting (${this.#maxWaiting}) calls waiting; raise maxWaiting or shed load upstream`,
          'maxWaiting',
          this.#maxWaiting,
        ),
      )
    }
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    const task: Task = {
      name,
      args,
      transfer,
      resolve,
      reject,
      submittedAt: performance.now(),
      state: QUEUED,
      lease,
      guarded,
      signal,
      timeoutMs,
      onAbort: undefined,
      timer: undefined,
      handedAt: 0,
      thread: undefined,
      sequence: 0,
      previous: undefined,
      next: undefined,
    }
    if (this.#unsettled++ === 0) this.#keepAlive?.ref()
    if (signal !== undefined) {
      // Registered before the limiter's own listener, so the call is settled before the limiter
      // drops its wait (and that rejection is then ignored).
      task.onAbort = () => this.#abort(task)
      signal.addEventListener('abort', task.onAbort, { once: true })
    }
    if (lease === undefined) this.#waitForToken(task)
    else this.#enqueue(task)
    return promise
  }

  /** Why a call cannot even be accepted, if it cannot. */
  #refusal(name: unknown, args: unknown): Error | undefined {
    if (this.#state !== 'open') {
      return new ClosedError(`Worker pool "${this.name}" is closed and takes no new calls`)
    }
    if (this.#failure !== undefined) return new WorkerStartupError(this.module, this.#failure.cause)
    if (typeof name !== 'string') return invalidArgument('task name', name, 'a string')
    if (!Array.isArray(args)) {
      return invalidArgument(`args of task "${name}"`, args, 'an array of its arguments')
    }
    return undefined
  }

  /** Whether one more call would leave more than `maxWaiting` calls waiting. */
  #wouldWaitPastBound(hasToken: boolean): boolean {
    return this.#waitingCount(hasToken ? 0 : 1, hasToken ? 1 : 0) > this.#maxWaiting
  }

  /**
   * The calls that wait, plus `extraWaiting` more waiting for a token and `extraQueued` more
   * queued: those waiting for a token, those a thread holds behind the call it runs, and those
   * queued beyond what the threads that hold nothing (or may still be started) take at once.
   */
  #waitingCount(extraWaiting: number, extraQueued: number): number {
    const queued = this.#queue.length + extraQueued
    return (
      this.#waiting.length +
      extraWaiting +
      this.#threads.reserved() +
      Math.max(0, queued - this.#threads.free())
    )
  }

  #abortError(name: string, signal: AbortSignal): AbortError {
    return abortErrorFor(`Task "${name}" of worker pool "${this.name}" was aborted`, signal)
  }

  #waitForToken(task: Task): void {
    task.state = WAITING_FOR_TOKEN
    this.#waiting.push(task)
    let granted: PromiseLike<ThreadLimiterLease>
    try {
      granted = this.limiter.acquire(
        task.signal === undefined ? undefined : { signal: task.signal },
      )
    } catch (error) {
      this.#onTokenRefused(task, error)
      return
    }
    granted.then(
      (lease) => this.#onToken(task, lease),
      (error: unknown) => this.#onTokenRefused(task, error),
    )
  }

  #onToken(task: Task, lease: ThreadLimiterLease): void {
    if (task.state !== WAITING_FOR_TOKEN) {
      // Settled while it waited (aborted, destroyed): the token goes straight back.
      lease.release()
      return
    }
    this.#waiting.remove(task)
    task.lease = lease
    this.#enqueue(task)
  }

  #onTokenRefused(task: Task, error: unknown): void {
    if (task.state !== WAITING_FOR_TOKEN) return
    // Any limiter rejects an aborted wait with an error of its own; the call gets the pool's.
    const signal = task.signal
    this.#reject(task, signal?.aborted ? this.#abortError(task.name, signal) : error)
  }

  #enqueue(task: Task): void {
    task.state = QUEUED
    this.#queue.push(task)
    this.#schedulePump()
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return
    this.#pumpScheduled = true
    queueMicrotask(this.#pump)
  }

  /** Hands queued calls to threads in FIFO order, then posts one message per thread. */
  readonly #pump = (): void => {
    this.#pumpScheduled = false
    if (this.#failure !== undefined || this.#state === 'destroyed') return
    this.#ensureThreads()
    const depth = threadDepth(this.#metrics.meanRunTime)
    const now = performance.now()
    this.#dispatch(depth, now)
    // Runs after the calls that freed tokens let waiting calls in, so an idle thread only takes
    // work back from a busy one when there is truly nothing queued for it.
    if (this.#queue.length === 0 && this.#threads.idle() !== undefined && this.#rebalance()) {
      this.#dispatch(depth, now)
    }
    for (const thread of this.#threads) thread.post()
  }

  #dispatch(depth: number, now: number): void {
    let task = this.#queue.head
    while (task !== undefined) {
      const thread = task.guarded ? this.#threads.idle() : this.#threads.leastLoaded(depth)
      if (thread === undefined) break
      const next = task.next
      this.#queue.remove(task)
      this.#handOver(task, thread, now)
      task = next
    }
  }

  #handOver(task: Task, thread: PoolThread, now: number): void {
    task.state = HANDED_OVER
    task.handedAt = now
    thread.assign(task)
    if (task.timeoutMs !== undefined) {
      task.timer = startTimer(() => this.#onTimeout(task), task.timeoutMs)
    }
    if (this.listenerCount('taskStart') > 0) {
      this.emit('taskStart', {
        name: task.name,
        waitMs: now - task.submittedAt,
        threadId: thread.threadId,
      })
    }
  }

  /** Takes back half of the calls the busiest thread has not started; true when it took any. */
  #rebalance(): boolean {
    const victim = this.#threads.busiest()
    if (victim === undefined) return false
    const taken = victim.takeBackUnstarted(victim.outstanding >> 1)
    this.#requeueInFront(taken)
    return taken.length > 0
  }

  /** Puts calls that never started back at the front of the queue, in their order. */
  #requeueInFront(tasks: Task[]): void {
    for (let index = tasks.length - 1; index >= 0; index--) {
      const task = tasks[index]!
      task.state = QUEUED
      // A guarded call's running time starts again on its next thread.
      if (task.timer !== undefined) clearTimeout(task.timer)
      task.timer = undefined
      this.#queue.unshift(task)
    }
  }

  /** Starts threads while there is more work than threads (and keeps `minThreads` while open). */
  #ensureThreads(): void {
    let live = this.#threads.live()
    let work = this.#queue.length + this.#threads.handed()
    if (this.#queue.head?.guarded === true && !this.#threads.comingFree()) {
      work = Math.max(work, live + 1)
    }
    const floor = this.#state === 'open' ? this.minThreads : 0
    const wanted = Math.min(this.maxThreads, Math.max(work, floor))
    for (; live < wanted; live++) {
      if (!this.#spawn()) return
    }
  }

  #spawn(): boolean {
    let thread: PoolThread
    try {
      thread = new PoolThread(this.#launch, this.#owner, performance.now())
    } catch (error) {
      // No thread could start at all: the pool cannot work. With threads alive, it goes on with them.
      if (this.#threads.live() === 0) this.#failStartup(error)
      return false
    }
    this.#threads.add(thread)
    if (this.listenerCount('threadSpawn') > 0)
      this.emit('threadSpawn', { threadId: thread.threadId })
    return true
  }

  /** A thread posted results or a control message. */
  #onThreadMessage(thread: PoolThread, message: unknown): void {
    // One wake-up of the event loop settles everything every thread has sent so far.
    const received: Received = [[thread, message]]
    for (const other of this.#threads) {
      if (other.outstanding > 0 || other.state === 'starting') receiveAll(other, received)
    }
    this.#handleReceived(received)
    this.#schedulePump()
    this.#reaper.arm()
  }

  /** Handles whatever a thread has sent and the pool has not seen yet. */
  #drain(thread: PoolThread): void {
    const received: Received = []
    receiveAll(thread, received)
    this.#handleReceived(received)
  }

  #handleReceived(received: Received): void {
    // Events go out while every finished call still holds its thread and token, so a listener sees
    // borrowedTokens equal to the calls in flight; tokens freed afterwards reach waiting calls
    // within the same tick.
    if (this.listenerCount('taskEnd') > 0 || this.listenerCount('taskError') > 0) {
      for (const [sender, payload] of received) {
        if (Array.isArray(payload)) this.#emitResults(sender, payload)
      }
    }
    for (const [sender, payload] of received) {
      if (Array.isArray(payload)) this.#settleResults(sender, payload)
      else this.#handleControl(sender, payload as ThreadControlMessage)
    }
  }

  #handleControl(thread: PoolThread, message: ThreadControlMessage): void {
    if (message.type === 'ready') {
      thread.loaded = true
      if (thread.state === 'starting') thread.state = 'ready'
      if (thread.outstanding === 0) thread.idleSince = performance.now()
    } else if (message.type === 'startup-failed') {
      thread.loadError = rehydrateError(message.error)
    }
  }

  /** taskEnd / taskError for a batch of results, before any of them is settled. */
  #emitResults(thread: PoolThread, entries: unknown[]): void {
    for (let index = 0; index < entries.length; index += RESULT_STRIDE) {
      const task = thread.handedTask(entries[index] as number)
      if (task === undefined) continue
      const durationMs = entries[index + 4] as number
      const waitMs = Math.max(0, (entries[index + 3] as number) - task.submittedAt)
      const threadId = thread.threadId
      if (entries[index + 1] === FULFILLED) {
        this.emit('taskEnd', { name: task.name, durationMs, waitMs, threadId })
        continue
      }
      // Built once and kept, so the listener and the caller see the same error object.
      const error = this.#taskError(task, entries[index + 1] as number, entries[index + 2])
      entries[index + 1] = THREW_VALUE
      entries[index + 2] = error
      this.emit('taskError', { name: task.name, error, durationMs, waitMs, threadId })
    }
  }

  #settleResults(thread: PoolThread, entries: unknown[]): void {
    for (let index = 0; index < entries.length; index += RESULT_STRIDE) {
      const task = thread.handedTask(entries[index] as number)
      if (task === undefined) continue
      thread.completed++
      const startedAt = entries[index + 3] as number
      this.#metrics.record(entries[index + 4] as number, Math.max(0, startedAt - task.submittedAt))
      const status = entries[index + 1] as number
      const value = entries[index + 2]
      this.#settle(task)
      if (status === FULFILLED) {
        this.#metrics.completed++
        task.resolve(value)
      } else {
        this.#metrics.failed++
        task.reject(this.#taskError(task, status, value))
      }
    }
    if (thread.outstanding === 0) thread.idleSince = performance.now()
  }

  #taskError(task: Task, status: number, value: unknown): unknown {
    if (status === THREW_ERROR) return rehydrateError(value as SerializedError)
    if (status === UNKNOWN_TASK) {
      return new UnknownTaskError(task.name, value as string[], this.module)
    }
    if (status === UNCLONEABLE_RESULT) {
      const report = value as UncloneableResult
      const cause = rehydrateError(report.error)
      return new UncloneableValueError(task.name, 'result', report.path, report.found, cause)
    }
    return value
  }

  /**
   * Rejects a call wherever it is. The event goes out before the call lets go of its place and its
   * token, so a listener sees the same counts the limiter does.
   */
  #reject(task: Task, error: unknown, durationMs = 0): void {
    if (this.listenerCount('taskError') > 0) {
      this.emit('taskError', {
        name: task.name,
        error,
        durationMs,
        waitMs: performance.now() - task.submittedAt - durationMs,
        threadId: task.thread?.threadId,
      })
    }
    this.#settle(task)
    this.#metrics.failed++
    task.reject(error)
  }

  /** Takes a call out of the waiting list, the queue or its thread, clears its guards and returns its token. */
  #settle(task: Task): void {
    if (task.state === WAITING_FOR_TOKEN) this.#waiting.remove(task)
    else if (task.state === QUEUED) this.#queue.remove(task)
    else if (task.thread !== undefined) task.thread.release(task)
    task.state = SETTLED
    if (task.timer !== undefined) clearTimeout(task.timer)
    if (task.onAbort !== undefined) task.signal!.removeEventListener('abort', task.onAbort)
    task.timer = undefined
    task.onAbort = undefined
    const lease = task.lease
    task.lease = undefined
    lease?.release()
    if (--this.#unsettled === 0) {
      this.#keepAlive?.unref()
      this.#drained?.()
    }
  }

  #abort(task: Task): void {
    const error = this.#abortError(task.name, task.signal!)
    if (task.state === HANDED_OVER) this.#stopRunning(task, error, 'abort')
    else if (task.state !== SETTLED) this.#reject(task, error)
  }

  #onTimeout(task: Task): void {
    task.timer = undefined
    if (task.state !== HANDED_OVER) return
    const timeoutMs = task.timeoutMs!
    const error = new TimeoutError(
      `Task "${task.name}" of worker pool "${this.name}" ran longer than timeoutMs (${timeoutMs} ms); its worker thread was terminated and replaced`,
      timeoutMs,
    )
    this.#stopRunning(task, error, 'timeout')
  }

  /** Cancels a call a thread holds: taken back if it has not started, else its thread is terminated. */
  #stopRunning(task: Task, error: Error, reason: 'abort' | 'timeout'): void {
    const thread = task.thread!
    // Its result may already be on the way; then it simply completed.
    this.#drain(thread)
    if (task.state === SETTLED) return
    if (thread.revoke(task)) {
      // Not started: the thread will skip it and lives on.
      this.#reject(task, error)
    } else {
      this.#reject(task, error, performance.now() - task.handedAt)
      thread.stop(reason)
    }
    this.#schedulePump()
  }

  /** A thread ended: settle what it finished, fail what it was running, requeue the rest. */
  #onThreadExit(thread: PoolThread, exitCode: number): void {
    this.#drain(thread)
    this.#threads.remove(thread)
    thread.state = 'exited'
    let reason: ThreadExitReason = thread.stopReason ?? 'crash'
    let error: unknown = thread.error
    if (reason === 'crash' && !thread.loaded) {
      reason = 'startup-failure'
      error =
        thread.loadError ??
        thread.error ??
        new Error(`The worker thread exited with code ${exitCode} before it loaded the module`)
    }
    if (this.listenerCount('threadExit') > 0) {
      this.emit('threadExit', { threadId: thread.threadId, exitCode, reason, error })
    }
    if (reason === 'startup-failure') {
      this.#failStartup(error, thread)
      return
    }
    const startedAny = this.#recoverCalls(thread, exitCode)
    if (reason === 'crash') this.#countCrash(thread, startedAny)
    if (this.#queue.length > 0 || this.#state === 'open') this.#schedulePump()
  }

  /**
   * Rejects the call a dead thread was running and puts the ones it never started back in front.
   * A call whose arguments were transferred to the thread is lost with it, and rejected too.
   */
  #recoverCalls(thread: PoolThread, exitCode: number): boolean {
    let startedAny = false
    const unstarted: Task[] = []
    const now = performance.now()
    for (const task of thread.handedTasks()) {
      const started = thread.started(task)
      startedAny ||= started
      if (started || task.transfer !== undefined) {
        const error = new WorkerCrashedError(task.name, thread.threadId, exitCode, thread.error)
        this.#reject(task, error, started ? now - task.handedAt : 0)
      } else {
        thread.release(task)
        unstarted.push(task)
      }
    }
    this.#requeueInFront(unstarted)
    return startedAny
  }

  /** A thread that keeps dying before it runs anything is a module that cannot start: no respawn storm. */
  #countCrash(thread: PoolThread, startedAny: boolean): void {
    this.#metrics.crashed++
    if (startedAny || thread.completed > 0) {
      this.#barrenCrashes = 0
      return
    }
    if (++this.#barrenCrashes >= MAX_BARREN_CRASHES) {
      this.#failStartup(
        thread.error ?? new Error('Worker threads keep exiting before they run a task'),
      )
    }
  }

  /** The module cannot start: every call fails now and later with WorkerStartupError, and no thread is spawned again. */
  #failStartup(cause: unknown, exited?: PoolThread): void {
    this.#failure ??= { cause }
    const failure = this.#failure.cause
    const makeError = () => new WorkerStartupError(this.module, failure)
    if (exited !== undefined) this.#rejectHanded(exited, makeError)
    this.#rejectEverything(makeError)
    for (const thread of this.#threads.snapshot()) thread.stop('startup-failure')
  }

  #rejectEverything(makeError: () => Error): void {
    for (let task = this.#waiting.head; task !== undefined; task = this.#waiting.head) {
      this.#reject(task, makeError())
    }
    for (let task = this.#queue.head; task !== undefined; task = this.#queue.head) {
      this.#reject(task, makeError())
    }
    for (const thread of this.#threads) this.#rejectHanded(thread, makeError)
  }

  #rejectHanded(thread: PoolThread, makeError: () => Error): void {
    for (const task of thread.handedTasks()) {
      thread.revoke(task)
      this.#reject(task, makeError())
    }
  }

  /** A snapshot of the pool: threads, calls, counters, run and wait time percentiles, utilization. */
  stats(): WorkerPoolStats {
    const busy = this.#threads.busy()
    return {
      name: this.name,
      threads: this.#threads.live(),
      busy,
      minThreads: this.minThreads,
      maxThreads: this.maxThreads,
      running: busy,
      waiting: this.#waitingCount(0, 0),
      waitingForToken: this.#waiting.length,
      inFlight: this.#threads.handed() + this.#queue.length,
      completed: this.#metrics.completed,
      failed: this.#metrics.failed,
      crashed: this.#metrics.crashed,
      runTime: this.#metrics.runTime(),
      waitTime: this.#metrics.waitTime(),
      utilization: this.#metrics.utilization(this.maxThreads),
    }
  }

  /**
   * Takes no new calls (they reject with `ClosedError`), lets every accepted call finish,
   * including those still waiting for a token, then stops the threads. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed
    if (this.#state === 'open') this.#state = 'closing'
    this.#closed = this.#finishClose()
    return this.#closed
  }

  async #finishClose(): Promise<void> {
    if (this.#unsettled > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve
      })
    }
    await this.#stopThreads()
  }

  /**
   * Stops at once: every unsettled call rejects with `ClosedError`, running threads are
   * terminated. Resolves when all threads have exited.
   */
  async destroy(): Promise<void> {
    this.#state = 'destroyed'
    this.#rejectEverything(
      () => new ClosedError(`Worker pool "${this.name}" was destroyed before this call finished`),
    )
    await this.#stopThreads()
  }

  async #stopThreads(): Promise<void> {
    this.#reaper.stop()
    const threads = this.#threads.snapshot().filter(isLive)
    for (const thread of threads) thread.stop('close')
    await Promise.all(this.#threads.snapshot().map((thread) => thread.exited))
    clearInterval(this.#keepAlive)
    this.#keepAlive = undefined
  }
}

/** Takes every message a thread has sent that is still waiting on its port. */
function receiveAll(thread: PoolThread, into: Received): void {
  for (
    let received = receiveMessageOnPort(thread.port);
    received !== undefined;
    received = receiveMessageOnPort(thread.port)
  ) {
    into.push([thread, received.message])
  }
}

/**
 * The error of a call whose arguments (or transfer list) could not be posted to its thread, saying
 * where the value that cannot be copied sits.
 */
function uncloneableArguments(task: Task, cause: unknown): UncloneableValueError {
  const spot = findUncloneable(task.args, 'args')
  const part = spot === undefined && task.transfer !== undefined ? 'transfer' : 'arguments'
  return new UncloneableValueError(task.name, part, spot?.path, spot?.found, cause)
}

/** A `TypeError` for an argument of `run()` of the wrong type, with Node's code for one. */
function invalidArgument(what: string, value: unknown, allowed: string): TypeError {
  const error = new TypeError(`${what} must be ${allowed}, got ${describeValue(value)}`)
  return Object.assign(error, { code: 'ERR_INVALID_ARG_TYPE' })
}
