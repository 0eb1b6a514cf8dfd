import { abortErrorFor, adoptResult, LinkedList, startTimer } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { EventEmitter } from 'eventemitter3'
import {
  BorrowerAlreadyHoldsTokenError,
  BorrowerNotHoldingTokenError,
  QueueFullError,
  TimeoutError,
} from './errors.js'
import { isWatched, reportListenerError } from './internal/limiter-events.js'
import type { Waiter, WaitGuard } from './internal/waiter.js'
import { Lease, type TokenHolder } from './lease.js'
import type {
  AcquireOptions,
  CapacityLimiterEvents,
  CapacityLimiterOptions,
  CapacityLimiterRejectReason,
  CapacityLimiterStats,
} from './types.js'

/** The default number of tokens: how many calls run at once unless `totalTokens` says otherwise. */
export const DEFAULT_TOTAL_TOKENS = 40
/** The default bound on waiting callers (`maxWaiting`). */
export const DEFAULT_MAX_WAITING = 10_000

const tokenCount = option.integer({ min: 1, infinity: true })
const waitingBound = option.integer({ min: 0, infinity: true })

const limiterOptions: option.Schema = {
  totalTokens: tokenCount,
  maxWaiting: waitingBound,
  name: option.name,
}

/** What a task that found a free token awaits before it starts (see `#startSoon`). */
const settled = Promise.resolve()

/**
 * Caps how many calls run at once: a pool of tokens (40 by default), borrowed in FIFO order with
 * direct hand-off, so a newcomer never takes a token a waiter was promised. Waiting is bounded
 * (`maxWaiting`), cancellable (`signal`) and time-limited (`timeoutMs`); the pool can be resized at
 * any time.
 *
 * @example
 * const limiter = new CapacityLimiter({ totalTokens: 40, maxWaiting: 1000, name: 'db' })
 * const status = await limiter.run(() => fetch(url).then((response) => response.status), {
 *   timeoutMs: 2_000,
 * })
 */
export class CapacityLimiter extends EventEmitter<CapacityLimiterEvents> {
  /** The limiter's name, used in errors, events, metrics and `stats().name`. */
  readonly name: string
  #totalTokens: number
  #maxWaiting: number
  #borrowed = 0
  readonly #queue = new LinkedList<Waiter>()
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

  /**
   * @param options `totalTokens`, `maxWaiting` and `name`, all optional. An unknown key, a value of
   * the wrong type or out of range throws a `TypeError` or `RangeError` with
   * `code: 'LOOPWORK_INVALID_OPTION'` that names the option.
   */
  constructor(options?: CapacityLimiterOptions) {
    super()
    option.check('CapacityLimiter options', options, limiterOptions)
    this.#totalTokens = options?.totalTokens ?? DEFAULT_TOTAL_TOKENS
    this.#maxWaiting = options?.maxWaiting ?? DEFAULT_MAX_WAITING
    this.name = options?.name ?? 'limiter'
  }

  /**
   * Tokens in total: a positive integer or `Infinity`. Raising it hands tokens to waiters at once;
   * lowering it revokes nothing and takes effect as tokens come back.
   */
  get totalTokens(): number {
    return this.#totalTokens
  }

  /**
   * Resizes the limiter while it runs, for example from a config reload. A value that is not a
   * positive integer or `Infinity` throws a `TypeError` or `RangeError` with code
   * `LOOPWORK_INVALID_OPTION`, and the size stays as it was.
   */
  set totalTokens(value: number) {
    this.#totalTokens = tokenCount('totalTokens', value)
    this.#dispatch()
  }

  /** The bound on waiting callers: an integer from 0, or `Infinity`. Lowering it sends no one away. */
  get maxWaiting(): number {
    return this.#maxWaiting
  }

  /**
   * Changes the bound on waiting callers while the limiter runs; it applies to the next
   * `acquire()`. A value that is not an integer from 0 or `Infinity` throws a `TypeError` or
   * `RangeError` with code `LOOPWORK_INVALID_OPTION`, and the bound stays as it was.
   */
  set maxWaiting(value: number) {
    this.#maxWaiting = waitingBound('maxWaiting', value)
  }

  /** Tokens borrowed right now. */
  get borrowedTokens(): number {
    return this.#borrowed
  }

  /** Tokens free right now (never negative, even after a shrink below `borrowedTokens`). */
  get availableTokens(): number {
    return Math.max(0, this.#totalTokens - this.#borrowed)
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.#queue.length
  }

  /** A snapshot of the limiter's state and counters, as a fresh plain object. */
  stats(): CapacityLimiterStats {
    return {
      name: this.name,
      running: this.#borrowed,
      waiting: this.#queue.length,
      totalTokens: this.#totalTokens,
      borrowedTokens: this.#borrowed,
      availableTokens: this.availableTokens,
      maxWaiting: this.#maxWaiting,
      acquired: this.#acquired,
      rejected: this.#rejected,
      timedOut: this.#timedOut,
      aborted: this.#aborted,
    }
  }

  /**
   * Runs `task` once a token is free and always gives the token back, whether `task` returns,
   * throws or rejects; the original outcome is passed on. `signal` and `timeoutMs` bound the wait
   * only, never the task.
   *
   * `task` never runs before `run()` returns: it starts in a later microtask, whether a token was
   * free or it had to wait, so the order of side effects does not depend on load. It runs in the
   * caller's `AsyncLocalStorage` context. What it returns is adopted once: a thenable's `then()` is
   * called exactly once (a query builder that runs its query in `then()` runs it once).
   *
   * @example const status = await limiter.run(() => fetch(url).then((r) => r.status), { timeoutMs: 2_000 })
   */
  run<T>(task: () => T | PromiseLike<T>, options?: AcquireOptions): Promise<Awaited<T>> {
    if (typeof task !== 'function') {
      return Promise.reject(option.invalid('run() task', task, 'a function'))
    }
    if (options !== undefined) return this.#runWithOptions(task, options) as Promise<Awaited<T>>
    if (this.#queue.head === undefined && this.#borrowed < this.#totalTokens) {
      this.#grant()
      return this.#startSoon(task) as Promise<Awaited<T>>
    }
    if (this.#queue.length >= this.#maxWaiting) return this.#shed() as Promise<Awaited<T>>
    // The hot path of a loaded limiter: no options, so no guard and no checks.
    const handedOver = new Promise(this.#captureResolvers)
    this.#queue.push({
      task,
      resolve: this.#capturedResolve!,
      guard: undefined,
      previous: undefined,
      next: undefined,
    })
    if (isWatched(this)) this.#emit('wait')
    // The task starts in a reaction registered here, in the caller's async context, so
    // AsyncLocalStorage values survive the wait without a per-call snapshot closure.
    return handedOver.then(this.#startWaiter) as Promise<Awaited<T>>
  }

  /**
   * Returns a function with `fn`'s parameters whose every call goes through {@link run}, with
   * `options` (checked here) applied to each call.
   *
   * @example const limitedFetch = limiter.wrap((url: string) => fetch(url), { timeoutMs: 1_000 })
   */
  wrap<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
    options?: AcquireOptions,
  ): (...args: A) => Promise<Awaited<R>> {
    if (typeof fn !== 'function') throw option.invalid('wrap() fn', fn, 'a function')
    option.check('wrap() options', options, option.waitSchema)
    return (...args: A) => this.run(() => fn(...args), options)
  }

  /**
   * Waits for a token in FIFO order and resolves with a lease; release it when the work is done
   * (`using lease = await limiter.acquire()` releases it at the end of the scope).
   *
   * @example
   * const lease = await limiter.acquire({ signal: request.signal })
   * try { await work() } finally { lease.release() }
   */
  acquire(options?: AcquireOptions): Promise<Lease> {
    if (options === undefined) {
      if (this.#queue.head === undefined && this.#borrowed < this.#totalTokens) {
        this.#grant()
        return Promise.resolve(new Lease(this.#holder))
      }
      return this.#enqueue(undefined, undefined, undefined, undefined) as Promise<Lease>
    }
    try {
      option.check('acquire() options', options, option.waitSchema)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#enqueue(undefined, undefined, options.signal, options.timeoutMs) as Promise<Lease>
  }

  /**
   * Takes a token only if one is free and nobody waits (no queue jumping), else returns `undefined`.
   */
  tryAcquire(): Lease | undefined {
    if (this.#queue.head !== undefined || this.#borrowed >= this.#totalTokens) return undefined
    this.#grant()
    return new Lease(this.#holder)
  }

  /**
   * Borrows a token recorded against `borrower` (an object or a symbol, such as a request object),
   * to be given back with {@link releaseOnBehalfOf}. A borrower that already holds or waits for a
   * token is refused with `BorrowerAlreadyHoldsTokenError`, which turns a re-entrant self-deadlock
   * into a clear failure.
   *
   * @example
   * await limiter.acquireOnBehalfOf(request)
   * try { await handle(request) } finally { limiter.releaseOnBehalfOf(request) }
   */
  acquireOnBehalfOf(borrower: object | symbol, options?: AcquireOptions): Promise<void> {
    if (
      typeof borrower !== 'symbol' &&
      typeof borrower !== 'function' &&
      (typeof borrower !== 'object' || borrower === null)
    ) {
      return Promise.reject(option.invalid('borrower', borrower, 'an object or a symbol'))
    }
    try {
      option.check('acquireOnBehalfOf() options', options, option.waitSchema)
    } catch (error) {
      return Promise.reject(error)
    }
    this.#borrowers ??= new Map()
    if (this.#borrowers.has(borrower)) {
      return Promise.reject(new BorrowerAlreadyHoldsTokenError(this.name))
    }
    return this.#enqueue(undefined, borrower, options?.signal, options?.timeoutMs) as Promise<void>
  }

  /** Gives back the token `borrower` holds; throws `BorrowerNotHoldingTokenError` if it holds none. */
  releaseOnBehalfOf(borrower: object | symbol): void {
    if (this.#borrowers?.get(borrower) !== 'holds') {
      throw new BorrowerNotHoldingTokenError(this.name)
    }
    this.#borrowers.delete(borrower)
    this.#release()
  }

  #runWithOptions(task: () => unknown, options: AcquireOptions): Promise<unknown> {
    try {
      option.check('run() options', options, option.waitSchema)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#enqueue(task, undefined, options.signal, options.timeoutMs)
  }

  #grant(): void {
    this.#borrowed++
    this.#acquired++
    if (isWatched(this)) this.#emit('acquire')
  }

  /**
   * Runs a task that already holds a token, in a later microtask, and gives the token back when the
   * task settles, before the caller sees the outcome. The first `await` is the one reaction the
   * later start costs; it is registered here, in the caller's async context, so the task sees the
   * caller's AsyncLocalStorage values. Awaiting the task's result settles the caller's promise
   * directly: a reaction that returned that promise instead would have the caller's promise adopt
   * it, two more microtasks and a second reaction for the token.
   */
  async #startSoon(task: () => unknown): Promise<unknown> {
    await settled
    try {
      const result = task()
      // `await` calls a thenable's then() once (a lazy query runs once); other values need no wait.
      return typeof result === 'object' || typeof result === 'function' ? await result : result
    } finally {
      this.#release()
    }
  }

  /**
   * Runs a queued task that has just been handed a token and returns the token when the task
   * settles. Called from the reaction whose promise the caller holds, so returning the task's
   * promise settles the caller's promise with it, without a wrapper. The token's reaction is
   * registered first, so the token is back before the caller sees the outcome. Queued calls use a
   * reaction rather than a suspended `#startSoon`: a long queue then holds only small records.
   */
  #startHolding(task: () => unknown): unknown {
    let result: unknown
    try {
      result = task()
    } catch (error) {
      this.#release()
      throw error
    }
    if (result instanceof Promise) {
      result.then(this.#releaseAfter, this.#releaseAfter)
      return result
    }
    if ((typeof result === 'object' && result !== null) || typeof result === 'function') {
      // A lazy thenable (a query builder) runs its work when then() is called: adopt it once here,
      // so neither the token's reaction nor the caller's promise calls it a second time.
      const adopted = adoptResult(result)
      adopted.then(this.#releaseAfter, this.#releaseAfter)
      return adopted
    }
    this.#release()
    return result
  }

  #release(): void {
    this.#borrowed--
    if (isWatched(this)) this.#emit('release')
    if (this.#queue.head !== undefined) this.#dispatch()
  }

  /**
   * Hands free tokens to waiters in FIFO order. No user code runs synchronously in here (a queued
   * task starts in a promise reaction, listeners cannot throw out of #emit), so the loop needs no
   * re-entrancy guard; a listener that re-enters only hands over tokens this loop would have handed
   * over anyway.
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
    if (waiter.task !== undefined) {
      waiter.resolve(waiter)
    } else if (waiter.guard?.borrower !== undefined) {
      this.#borrowers!.set(waiter.guard.borrower, 'holds')
      waiter.resolve(undefined)
    } else {
      waiter.resolve(new Lease(this.#holder))
    }
  }

  /** Every wait but the plain `run(task)` and `acquire()` of a free token: options already checked. */
  #enqueue(
    task: (() => unknown) | undefined,
    borrower: unknown,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
  ): Promise<unknown> {
    if (signal?.aborted) {
      this.#aborted++
      this.#emitReject('abort')
      return Promise.reject(abortErrorFor(this.#abortMessage(), signal))
    }
    if (this.#queue.head === undefined && this.#borrowed < this.#totalTokens) {
      this.#grant()
      if (task !== undefined) return this.#startSoon(task)
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
    if (timeoutMs === Number.POSITIVE_INFINITY) timeoutMs = undefined
    if (signal !== undefined || timeoutMs !== undefined || borrower !== undefined) {
      waiter.guard = this.#guard(waiter, borrower, signal, timeoutMs)
    }
    this.#queue.push(waiter)
    if (isWatched(this)) this.#emit('wait')
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
      guard.onAbort = () =>
        this.#giveUp(waiter, abortErrorFor(this.#abortMessage(), signal), 'abort')
      signal.addEventListener('abort', guard.onAbort, { once: true })
    }
    if (timeoutMs !== undefined) {
      guard.timer = startTimer(() => {
        const message = `No token of limiter "${this.name}" became free within timeoutMs (${timeoutMs} ms)`
        this.#giveUp(waiter, new TimeoutError(message, timeoutMs), 'timeout')
      }, timeoutMs)
    }
    if (borrower !== undefined) this.#borrowers!.set(borrower, 'waits')
    return guard
  }

  #abortMessage(): string {
    return `Waiting for a token of limiter "${this.name}" was aborted`
  }

  #shed(): Promise<never> {
    this.#rejected++
    this.#emitReject('queueFull')
    const limit = this.#maxWaiting
    return Promise.reject(
      new QueueFullError(
        `Limiter "${this.name}" already has maxWaiting (${limit}) callers waiting; raise maxWaiting or shed load upstream`,
        'maxWaiting',
        limit,
      ),
    )
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

  #emitReject(reason: CapacityLimiterRejectReason): void {
    if (!isWatched(this)) return
    try {
      this.emit('reject', { reason, stats: this.stats() })
    } catch (error) {
      reportListenerError(error)
    }
  }

  /** Emits after the state is consistent; a throwing listener cannot leave a token behind. */
  #emit(name: 'acquire' | 'release' | 'wait'): void {
    try {
      this.emit(name, { stats: this.stats() })
    } catch (error) {
      reportListenerError(error)
    }
  }
}
