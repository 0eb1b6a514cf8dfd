import { EventEmitter } from 'eventemitter3'
import type { CapacityLimiterEvents, CapacityLimiterStatistics } from './capacity-limiter-events.js'
import type { AcquireOptions, CapacityLimiterOptions } from './capacity-limiter-options.js'
import {
  AbortError,
  BorrowerAlreadyHoldsTokenError,
  BorrowerNotHoldingTokenError,
  LimiterQueueFullError,
  LimiterTimeoutError,
} from './errors.js'
import { Lease, type TokenHolder } from './lease.js'
import { assertOptionalMilliseconds, assertTokenCount } from './option-validation.js'
import type { Waiter, WaitGuard } from './waiter.js'
import { WaiterQueue } from './waiter-queue.js'

/** The default number of tokens, as in anyio's default thread limiter. */
export const DEFAULT_TOTAL_TOKENS = 40
/** The default bound on waiting callers. */
export const DEFAULT_MAX_WAITING = 10_000

/**
 * Caps how many calls run at once, the Node counterpart of anyio's `CapacityLimiter`: a pool of
 * tokens (40 by default), borrowed in FIFO order with direct hand-off, so a newcomer never takes a
 * token a waiter was promised. Waiting is bounded (`maxWaiting`), cancellable and time-limited.
 *
 * A hand-written queue rather than p-limit: p-limit has no bound on waiting, no wait timeout or
 * abort, no borrower checks and no resizing with hand-off, and its promise-per-layer design runs at
 * about a third of this run-queue's speed (see bench/).
 *
 * @example
 * const limiter = new CapacityLimiter({ totalTokens: 40, maxWaiting: 1000, name: 'db' })
 * const rows = await limiter.run(() => db.query(sql), { timeoutMs: 2_000 })
 */
export class CapacityLimiter extends EventEmitter<CapacityLimiterEvents> {
  /** The limiter's name, used in errors, events and metrics. */
  readonly name: string
  #totalTokens: number
  #maxWaiting: number
  #borrowed = 0
  readonly #queue = new WaiterQueue()
  /** Borrowers of `acquireOnBehalfOf`, holding a token or waiting for one. */
  #borrowers: Map<unknown, 'holds' | 'waits'> | undefined
  #acquired = 0
  #rejected = 0
  #timedOut = 0
  #aborted = 0
  readonly #holder: TokenHolder = { returnToken: () => this.#release() }
  #capturedResolve: ((value: unknown) => void) | undefined
  #capturedReject: ((error: unknown) => void) | undefined
  /** One executor for every queued promise: no closure and no `withResolvers` object per call. */
  readonly #captureResolvers = (
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ) => {
    this.#capturedResolve = resolve
    this.#capturedReject = reject
  }
  readonly #releaseAfter = (): void => this.#release()
  readonly #startWaiter = (waiter: unknown): unknown => this.#startHolding((waiter as Waiter).task!)

  constructor(options: CapacityLimiterOptions = {}) {
    super()
    this.#totalTokens = assertTokenCount(
      'totalTokens',
      options.totalTokens === undefined ? DEFAULT_TOTAL_TOKENS : options.totalTokens,
      false,
    )
    this.#maxWaiting = assertTokenCount(
      'maxWaiting',
      options.maxWaiting === undefined ? DEFAULT_MAX_WAITING : options.maxWaiting,
      true,
    )
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(`name must be a string, got ${typeof options.name}`)
    }
    this.name = options.name ?? 'limiter'
  }

  /** Tokens in total. Raising it hands tokens to waiters at once; lowering it takes effect as leases return. */
  get totalTokens(): number {
    return this.#totalTokens
  }

  set totalTokens(value: number) {
    this.#totalTokens = assertTokenCount('totalTokens', value, false)
    this.#dispatch()
  }

  /** The bound on waiting callers; lowering it sheds no one already waiting. */
  get maxWaiting(): number {
    return this.#maxWaiting
  }

  set maxWaiting(value: number) {
    this.#maxWaiting = assertTokenCount('maxWaiting', value, true)
  }

  /** Tokens borrowed right now. */
  get borrowedTokens(): number {
    return this.#borrowed
  }

  /** Tokens free right now. */
  get availableTokens(): number {
    return Math.max(0, this.#totalTokens - this.#borrowed)
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.#queue.length
  }

  /** A snapshot of the limiter's state and counters. */
  statistics(): CapacityLimiterStatistics {
    return {
      name: this.name,
      totalTokens: this.#totalTokens,
      borrowedTokens: this.#borrowed,
      availableTokens: this.availableTokens,
      waiting: this.#queue.length,
      maxWaiting: this.#maxWaiting,
      acquired: this.#acquired,
      rejected: this.#rejected,
      timedOut: this.#timedOut,
      aborted: this.#aborted,
    }
  }

  /**
   * Runs `task` once a token is free and always gives the token back, whether `task` returns,
   * throws or rejects; the original outcome is passed on. `signal` and `timeoutMs` bound the wait only.
   * The task runs in its caller's AsyncLocalStorage context.
   */
  run<T>(task: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<Awaited<T>> {
    if (options !== undefined) return this.#enqueue(task, undefined, options) as Promise<Awaited<T>>
    if (this.#queue.head === undefined && this.#borrowed < this.#totalTokens) {
      this.#grant()
      return this.#start(task) as Promise<Awaited<T>>
    }
    if (this.#queue.length >= this.#maxWaiting) return this.#shed() as Promise<Awaited<T>>
    // The hot path of a loaded limiter: no options, so no guard, no validation.
    const handedOver = new Promise(this.#captureResolvers)
    this.#queue.push({
      task,
      resolve: this.#capturedResolve!,
      guard: undefined,
      previous: undefined,
      next: undefined,
    })
    if (this.#watched()) this.emit('wait', this.statistics())
    return handedOver.then(this.#startWaiter) as Promise<Awaited<T>>
  }

  /** Returns a function with `fn`'s signature whose every call goes through {@link run}. */
  wrap<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
  ): (...args: A) => Promise<Awaited<R>> {
    return (...args: A) => this.run(() => fn(...args))
  }

  /** Waits for a token in FIFO order and returns a lease to release when the work is done. */
  acquire(options?: AcquireOptions): Promise<Lease> {
    if (options === undefined && this.#queue.length === 0 && this.#borrowed < this.#totalTokens) {
      this.#grant()
      return Promise.resolve(new Lease(this.#holder))
    }
    return this.#enqueue(undefined, undefined, options) as Promise<Lease>
  }

  /**
   * Takes a token only if one is free and nobody waits (no queue jumping), else returns `undefined`.
   */
  tryAcquire(): Lease | undefined {
    if (this.#queue.length > 0 || this.#borrowed >= this.#totalTokens) return undefined
    this.#grant()
    return new Lease(this.#holder)
  }

  /**
   * anyio's `acquire_on_behalf_of`: borrows a token recorded against `borrower` (any value with
   * identity, such as a request object). The same borrower acquiring twice is an error, which turns a
   * re-entrant self-deadlock into a clear failure.
   */
  acquireOnBehalfOf(borrower: object | symbol, options?: AcquireOptions): Promise<void> {
    if (borrower === undefined || borrower === null) {
      return Promise.reject(new TypeError('borrower must be an object or a symbol'))
    }
    this.#borrowers ??= new Map()
    if (this.#borrowers.has(borrower)) {
      return Promise.reject(new BorrowerAlreadyHoldsTokenError(this.name))
    }
    return this.#enqueue(undefined, borrower, options) as Promise<void>
  }

  /** Gives back the token `borrower` holds; throws `BorrowerNotHoldingTokenError` if it holds none. */
  releaseOnBehalfOf(borrower: object | symbol): void {
    if (this.#borrowers?.get(borrower) !== 'holds')
      throw new BorrowerNotHoldingTokenError(this.name)
    this.#borrowers.delete(borrower)
    this.#release()
  }

  #grant(): void {
    this.#borrowed++
    this.#acquired++
    if (this.#watched()) this.emit('acquire', this.statistics())
  }

  /** Runs a task that holds a token (fast path); always hands back a promise. */
  #start(task: () => unknown): Promise<unknown> {
    let result: unknown
    try {
      result = this.#startHolding(task)
    } catch (error) {
      return Promise.reject(error)
    }
    return result instanceof Promise ? result : Promise.resolve(result)
  }

  /**
   * Runs a task that holds a token and returns the token when the task settles. The task's own
   * promise is handed back (a queued caller's promise adopts it directly) and a separate reaction,
   * registered first so it runs first, returns the token: one promise per task, no wrapper.
   */
  #startHolding(task: () => unknown): unknown {
    let result: unknown
    try {
      result = task()
    } catch (error) {
      this.#release()
      throw error
    }
    if (result instanceof Promise || isThenable(result)) {
      result.then(this.#releaseAfter, this.#releaseAfter)
      return result
    }
    this.#release()
    return result
  }

  #release(): void {
    this.#borrowed--
    if (this.#watched()) this.emit('release', this.statistics())
    if (this.#queue.head !== undefined) this.#dispatch()
  }

  /**
   * Hands free tokens to waiters in FIFO order. No user code runs synchronously in here (a queued
   * task starts in a promise reaction), so the loop needs no re-entrancy guard; an event listener
   * that re-enters only hands over tokens this loop would have handed over anyway.
   */
  #dispatch(): void {
    while (this.#queue.head !== undefined && this.#borrowed < this.#totalTokens) {
      const waiter = this.#queue.shift()!
      if (waiter.guard !== undefined) this.#clearGuard(waiter.guard)
      this.#grant()
      this.#handOver(waiter)
    }
  }

  #handOver(waiter: Waiter): void {
    const task = waiter.task
    if (task !== undefined) {
      waiter.resolve(waiter)
    } else if (waiter.guard?.borrower !== undefined) {
      this.#borrowers!.set(waiter.guard.borrower, 'holds')
      waiter.resolve(undefined)
    } else {
      waiter.resolve(new Lease(this.#holder))
    }
  }

  #enqueue(
    task: (() => unknown) | undefined,
    borrower: unknown,
    options: AcquireOptions | undefined,
  ): Promise<unknown> {
    const signal = options?.signal
    let timeoutMs: number | undefined
    try {
      timeoutMs = assertOptionalMilliseconds('timeoutMs', options?.timeoutMs)
    } catch (error) {
      return Promise.reject(error)
    }
    if (signal?.aborted) {
      this.#aborted++
      this.#emitReject('abort')
      return Promise.reject(new AbortError(this.name, signal.reason))
    }
    if (this.#queue.length === 0 && this.#borrowed < this.#totalTokens) {
      this.#grant()
      if (task !== undefined) return this.#start(task)
      if (borrower === undefined) return Promise.resolve(new Lease(this.#holder))
      this.#borrowers!.set(borrower, 'holds')
      return Promise.resolve()
    }
    if (this.#queue.length >= this.#maxWaiting) return this.#shed()
    const handedOver = new Promise(this.#captureResolvers)
    const waiter: Waiter = {
      task,
      resolve: this.#capturedResolve!,
      guard: undefined,
      previous: undefined,
      next: undefined,
    }
    if (signal !== undefined || timeoutMs !== undefined || borrower !== undefined) {
      waiter.guard = this.#guard(waiter, borrower, signal, timeoutMs)
    }
    this.#queue.push(waiter)
    if (this.#watched()) this.emit('wait', this.statistics())
    // The task starts in a reaction registered here, in the caller's async context, so
    // AsyncLocalStorage values survive the wait without a per-call snapshot closure (which
    // measured 5x slower than this).
    return task === undefined ? handedOver : handedOver.then(this.#startWaiter)
  }

  #guard(
    waiter: Waiter,
    borrower: unknown,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): WaitGuard {
    const guard: WaitGuard = {
      borrower,
      reject: this.#capturedReject!,
      signal,
      onAbort: undefined,
      timer: undefined,
    }
    if (signal !== undefined) {
      guard.onAbort = () => this.#giveUp(waiter, new AbortError(this.name, signal.reason), 'abort')
      signal.addEventListener('abort', guard.onAbort, { once: true })
    }
    if (timeoutMs !== undefined) {
      guard.timer = setTimeout(
        () => this.#giveUp(waiter, new LimiterTimeoutError(this.name, timeoutMs), 'timeout'),
        timeoutMs,
      )
    }
    if (borrower !== undefined) this.#borrowers!.set(borrower, 'waits')
    return guard
  }

  #shed(): Promise<never> {
    this.#rejected++
    this.#emitReject('queue-full')
    return Promise.reject(new LimiterQueueFullError(this.name, this.#maxWaiting))
  }

  /** Takes a waiter out of the queue at once; no token was handed to it, so none can leak. */
  #giveUp(waiter: Waiter, error: Error, reason: 'abort' | 'timeout'): void {
    const guard = waiter.guard!
    this.#clearGuard(guard)
    this.#queue.remove(waiter)
    if (guard.borrower !== undefined) this.#borrowers!.delete(guard.borrower)
    if (reason === 'abort') this.#aborted++
    else this.#timedOut++
    this.#emitReject(reason)
    guard.reject(error)
  }

  #clearGuard(guard: WaitGuard): void {
    if (guard.timer !== undefined) clearTimeout(guard.timer)
    if (guard.onAbort !== undefined) guard.signal!.removeEventListener('abort', guard.onAbort)
    guard.timer = undefined
    guard.onAbort = undefined
  }

  #emitReject(reason: 'queue-full' | 'timeout' | 'abort'): void {
    if (this.#watched()) this.emit('reject', reason, this.statistics())
  }

  /**
   * Whether anyone listens to any event. eventemitter3 keeps this count on the instance; reading it
   * costs nothing, where `listenerCount(name)` twice per task showed up in the run-queue profile.
   */
  #watched(): boolean {
    return (this as unknown as { _eventsCount: number })._eventsCount > 0
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}
