import { randomBytes } from 'node:crypto'
import {
  abortErrorFor,
  adoptResult,
  LinkedList,
  messageOf,
  startInterval,
  startTimer,
} from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import type { RedisScript } from '@loopwork/internal/redis-script'
import { EventEmitter } from 'eventemitter3'
import type { Cluster, Redis } from 'ioredis'
import { isWatched, reportListenerError } from '../internal/limiter-events.js'
import {
  ClosedError,
  LeaseLostError,
  QueueFullError,
  RedisUnavailableError,
  TimeoutError,
} from './errors.js'
import { GrantListener } from './internal/grant-listener.js'
import { KeyLayout } from './internal/key-layout.js'
import type { LeaseOwner, LeaseState } from './internal/lease-state.js'
import {
  acquireScript,
  heartbeatScript,
  peekScript,
  releaseScript,
  resizeScript,
} from './internal/lua-scripts.js'
import { type PendingCall, PendingCalls, type Reply } from './internal/pending-calls.js'
import {
  maxWaitingOption,
  type RedisSettings,
  resolveSettings,
  totalTokensOption,
} from './internal/redis-settings.js'
import {
  FALLBACK,
  GONE,
  GRANTED,
  QUEUED,
  type RedisWaiter,
  SENDING,
} from './internal/redis-waiter.js'
import { RedisLease } from './redis-lease.js'
import type {
  RedisAcquireOptions,
  RedisCapacityLimiterEvents,
  RedisCapacityLimiterOptions,
  RedisCapacityLimiterRejectReason,
  RedisCapacityLimiterStats,
} from './types.js'

/**
 * A capacity limiter whose tokens are shared by every process that uses the same Redis and `name`:
 * at most `totalTokens` calls run at once across all instances. The same interface as
 * `CapacityLimiter` (`run`, `wrap`, `acquire`, leases, `stats()`, the same events), so code written
 * for one accepts the other.
 *
 * - Waiters are queued in Redis in FIFO order across instances and woken by a push from the script
 *   that frees a token (no polling); a newcomer never takes a token a waiter is owed.
 * - Leases expire: each instance renews its leases and waiters every `leaseMs / 3` in one call, so
 *   a process that dies gives its tokens back within about `leaseMs`. A lease that was not renewed
 *   in time is lost: `lease.signal` aborts and `leaseLost` is emitted.
 * - Every Redis call is bounded by `commandTimeoutMs`. While Redis is unreachable the limiter
 *   refuses calls (`onOutage: 'failClosed'`) or admits them through a local limit
 *   (`'failOpen'`), and returns to the shared limit by itself.
 *
 * The limit is an efficiency device, not a lock for correctness: a holder stalled past its lease
 * (a long GC pause, a partition) may still be running when its token is handed to someone else.
 * `lease.token` increases with every grant, for resources that can reject stale holders.
 *
 * @example
 * const limiter = new RedisCapacityLimiter({ redis, name: 'partner-api', totalTokens: 20 })
 * const answer = await limiter.run(() => fetch(partnerUrl), { timeoutMs: 2_000 })
 */
export class RedisCapacityLimiter extends EventEmitter<RedisCapacityLimiterEvents> {
  /** The shared limit's name: instances with the same name (and key prefix) share one pool. */
  readonly name: string
  readonly #settings: RedisSettings
  readonly #redis: Redis | Cluster
  readonly #layout: KeyLayout
  readonly #instanceId: string
  readonly #listener: GrantListener
  #nextId = 0
  #maxWaiting: number

  // The cluster-wide view, as of the latest reply.
  #totalTokens: number
  #borrowed = 0
  #queued = 0
  #limitChecked = false

  // This instance.
  readonly #waiters = new LinkedList<RedisWaiter>()
  readonly #waiterById = new Map<string, RedisWaiter>()
  /** Leases counted in Redis, renewed by this instance. */
  readonly #held = new Map<string, LeaseState>()
  /** Leases of the outage fallback, counted in Redis once it answers again. */
  readonly #fallbackLeases = new Set<LeaseState>()
  /** Ids given up while Redis did not answer: released or dequeued by the next call that works. */
  readonly #forget = new Set<string>()
  #renewTimer: ReturnType<typeof setInterval> | undefined
  #renewing = false
  #expiryTimer: ReturnType<typeof setTimeout> | undefined
  #expiryAt = Number.POSITIVE_INFINITY
  #outageSince: number | undefined
  #outageError: unknown
  #closed = false
  #closing: Promise<void> | undefined
  readonly #pending: PendingCalls
  #drained: (() => void) | undefined

  #acquired = 0
  #rejected = 0
  #timedOut = 0
  #aborted = 0
  #unavailable = 0
  #outages = 0
  #leasesLost = 0

  readonly #owner: LeaseOwner = { releaseLease: (state) => this.#releaseLease(state) }
  readonly #onRenewTick = (): void => this.#renew()
  readonly #onExpiryTimer = (): void => {
    this.#expiryTimer = undefined
    this.#expiryAt = Number.POSITIVE_INFINITY
    this.#checkDeadlines()
  }
  readonly #onReady = (): void => {
    if (this.#outageSince !== undefined) this.#renew()
  }

  /**
   * @param options `redis` and `name` are required; see {@link RedisCapacityLimiterOptions}. An
   * unknown key, a value of the wrong type or out of range throws a `TypeError` or `RangeError` with
   * `code: 'LOOPWORK_INVALID_OPTION'` that names the option. Nothing is sent to Redis until the
   * first call.
   */
  constructor(options: RedisCapacityLimiterOptions) {
    super()
    const settings = resolveSettings(options)
    this.#settings = settings
    this.name = settings.name
    this.#redis = settings.redis
    this.#maxWaiting = settings.maxWaiting
    this.#totalTokens = settings.totalTokens
    this.#instanceId = randomBytes(9).toString('base64url')
    this.#layout = new KeyLayout(settings.keyPrefix, settings.name, this.#instanceId)
    this.#pending = new PendingCalls(settings.commandTimeoutMs, this.#callTimedOut)
    this.#listener = new GrantListener(
      settings.redis,
      this.#layout.grants,
      `loopwork-limiter:${this.#instanceId}`,
      () => this.#outageSince === undefined && this.#waiters.length > 0,
      (entry) => this.#deliver(entry),
    )
    this.#redis.on('ready', this.#onReady)
  }

  /**
   * The shared number of tokens, as of the latest reply from Redis. Setting it changes it for every
   * instance (see {@link setTotalTokens}, which the setter calls without waiting); raising it hands
   * tokens to waiters at once, lowering it revokes nothing.
   */
  get totalTokens(): number {
    return this.#totalTokens
  }

  /**
   * Changes the shared number of tokens for every instance, without waiting for Redis. The value
   * is checked at once: anything but a positive integer throws a `TypeError` or `RangeError` with
   * code `LOOPWORK_INVALID_OPTION`. A Redis failure while storing it is reported through the
   * `outage` event; await {@link setTotalTokens} instead to know when the new limit is stored.
   */
  set totalTokens(value: number) {
    totalTokensOption('totalTokens', value)
    // A failure is reported through the outage event; the next reply shows the stored limit.
    this.setTotalTokens(value).catch(ignore)
  }

  /** The bound on this instance's waiting callers: an integer from 0, or `Infinity`. */
  get maxWaiting(): number {
    return this.#maxWaiting
  }

  /**
   * Changes the bound on this instance's waiting callers; it applies to the next `acquire()`. A
   * value that is not an integer from 0 or `Infinity` throws a `TypeError` or `RangeError` with code
   * `LOOPWORK_INVALID_OPTION`.
   */
  set maxWaiting(value: number) {
    this.#maxWaiting = maxWaitingOption('maxWaiting', value)
  }

  /** Tokens borrowed by all instances, as of the latest reply from Redis. */
  get borrowedTokens(): number {
    return this.#borrowed
  }

  /** Tokens free cluster-wide, as of the latest reply from Redis (never negative). */
  get availableTokens(): number {
    return Math.max(0, this.#totalTokens - this.#borrowed)
  }

  /** Callers of all instances queued in Redis, as of the latest reply. */
  get waiting(): number {
    return this.#queued
  }

  /** A snapshot: the cluster-wide numbers as of the latest reply, this instance's counters. */
  stats(): RedisCapacityLimiterStats {
    return {
      name: this.name,
      running: this.#held.size + this.#fallbackLeases.size,
      waiting: this.#queued,
      totalTokens: this.#totalTokens,
      borrowedTokens: this.#borrowed,
      availableTokens: Math.max(0, this.#totalTokens - this.#borrowed),
      maxWaiting: this.#maxWaiting,
      acquired: this.#acquired,
      rejected: this.#rejected,
      timedOut: this.#timedOut,
      aborted: this.#aborted,
      localWaiting: this.#waiters.length,
      outage: this.#outageSince !== undefined,
      outages: this.#outages,
      unavailable: this.#unavailable,
      leasesLost: this.#leasesLost,
      fallbackRunning: this.#fallbackLeases.size,
      fallbackTokens: this.#settings.fallbackTokens,
    }
  }

  /**
   * Asks Redis for the cluster-wide numbers now and returns a fresh snapshot. If Redis cannot be
   * reached it resolves with the last known numbers (and `outage: true`); it never rejects.
   */
  refreshStats(): Promise<RedisCapacityLimiterStats> {
    if (this.#closed || this.#outageSince !== undefined) return Promise.resolve(this.stats())
    return new Promise((resolve) => {
      this.#call(
        peekScript,
        [],
        () => resolve(this.stats()),
        (error) => {
          this.#enterOutage(error)
          resolve(this.stats())
        },
      )
    })
  }

  /**
   * Stores a new shared limit in Redis, for every instance. Raising it hands tokens to waiters at
   * once (in FIFO order, in whichever instance); lowering it revokes nothing and takes effect as
   * tokens come back. Rejects with a `RedisUnavailableError` if Redis cannot be reached.
   */
  setTotalTokens(value: number): Promise<void> {
    try {
      totalTokensOption('totalTokens', value)
    } catch (error) {
      return Promise.reject(error)
    }
    if (this.#closed) return Promise.reject(this.#closedError())
    if (this.#outageSince !== undefined) {
      return Promise.reject(this.#unavailableError(this.#outageError))
    }
    this.#totalTokens = value
    return new Promise((resolve, reject) => {
      this.#call(
        resizeScript,
        [value],
        () => resolve(),
        (error) => {
          this.#enterOutage(error)
          reject(this.#unavailableError(error))
        },
      )
    })
  }

  /**
   * Runs `fn` once a token is free cluster-wide and always gives the token back, whether `fn`
   * returns, throws or rejects; the original outcome is passed on. `fn` never starts before `run`
   * returns, runs in its caller's async context, and receives its lease (`lease.signal` aborts if
   * the lease is lost). `signal` and `timeoutMs` bound the wait only, never the work. What `fn`
   * returns is adopted once (a thenable's `then()` is called once).
   */
  run<T>(
    fn: (lease: RedisLease) => T | PromiseLike<T>,
    options?: RedisAcquireOptions,
  ): Promise<Awaited<T>> {
    if (typeof fn !== 'function')
      return Promise.reject(option.invalid('run() fn', fn, 'a function'))
    return this.acquire(options).then((lease) => {
      let result: T | PromiseLike<T>
      try {
        result = fn(lease)
      } catch (error) {
        void lease.release()
        throw error
      }
      return adoptResult(result).then(
        (value) => {
          void lease.release()
          return value as Awaited<T>
        },
        (error: unknown) => {
          void lease.release()
          throw error
        },
      )
    })
  }

  /** Returns a function with `fn`'s signature whose every call goes through {@link run}. */
  wrap<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
    options?: RedisAcquireOptions,
  ): (...args: A) => Promise<Awaited<R>> {
    if (typeof fn !== 'function') throw option.invalid('wrap() fn', fn, 'a function')
    option.check('wrap() options', options, option.waitSchema)
    return (...args: A) => this.run(() => fn(...args), options)
  }

  /**
   * Waits for a token in FIFO order across all instances and resolves with a lease to release when
   * the work is done. Rejects with a `QueueFullError` past `maxWaiting` waiters of this instance,
   * a `TimeoutError` past `timeoutMs`, an `AbortError` when `signal` aborts, a
   * `RedisUnavailableError` while Redis is unreachable with `onOutage: 'failClosed'`, and a
   * `ClosedError` after `close()`. `timeoutMs: 0` asks Redis once and never queues.
   */
  acquire(options?: RedisAcquireOptions): Promise<RedisLease> {
    let signal: AbortSignal | undefined
    let timeoutMs = Number.POSITIVE_INFINITY
    if (options !== undefined) {
      try {
        option.check('acquire() options', options, option.waitSchema)
      } catch (error) {
        return Promise.reject(error)
      }
      signal = options.signal
      timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY
    }
    if (this.#closed) return Promise.reject(this.#closedError())
    if (signal?.aborted) {
      this.#aborted++
      this.#emitReject('abort')
      return Promise.reject(this.#abortError(signal))
    }
    const full = this.#waiters.length >= this.#maxWaiting
    if (this.#outageSince !== undefined) {
      if (this.#settings.onOutage === 'failClosed') {
        this.#unavailable++
        this.#emitReject('unavailable')
        return Promise.reject(this.#unavailableError(this.#outageError))
      }
      if (this.#waiters.length === 0 && this.#fallbackFree()) {
        return Promise.resolve(this.#grantFallback(undefined))
      }
      if (full) return Promise.reject(this.#queueFull())
      if (timeoutMs === 0) return Promise.reject(this.#timeout(0))
    }
    const { promise, resolve, reject } = Promise.withResolvers<RedisLease>()
    const waiter: RedisWaiter = {
      id: this.#newId(),
      state: SENDING,
      tryOnly: full || timeoutMs === 0,
      ticket: 0,
      minToken: 0,
      renewedAt: 0,
      resolve,
      reject,
      signal,
      timeoutMs,
      onAbort: undefined,
      timer: undefined,
      previous: undefined,
      next: undefined,
    }
    this.#waiters.push(waiter)
    this.#waiterById.set(waiter.id, waiter)
    if (signal !== undefined) {
      waiter.onAbort = () => this.#giveUp(waiter, 'abort')
      signal.addEventListener('abort', waiter.onAbort, { once: true })
    }
    if (timeoutMs > 0) waiter.timer = startTimer(() => this.#giveUp(waiter, 'timeout'), timeoutMs)
    if (this.#outageSince === undefined) {
      this.#send(waiter)
    } else {
      waiter.state = FALLBACK
      this.#emitWait()
    }
    return promise
  }

  /**
   * Whether a token is free is known only to Redis, so this synchronous method hands out a lease
   * only from the outage fallback (`onOutage: 'failOpen'` while Redis is unreachable) and otherwise
   * returns `undefined`. It is here so that code written for `CapacityLimiter` (try first, then
   * `acquire()`) works unchanged. To ask Redis without queueing, use `acquire({ timeoutMs: 0 })`.
   */
  tryAcquire(): RedisLease | undefined {
    if (
      this.#closed ||
      this.#outageSince === undefined ||
      this.#waiters.length > 0 ||
      !this.#fallbackFree()
    ) {
      return undefined
    }
    return this.#grantFallback(undefined)
  }

  /**
   * Stops the limiter: waiting callers reject with a `ClosedError`, leases still held are given back
   * in Redis (their `signal` aborts with a `ClosedError`), the renewal timer stops and the
   * connection the limiter opened for hand-overs is closed. The `redis` connection you passed in
   * stays open. Resolves once the last Redis call has answered (at most `commandTimeoutMs`).
   * Close after your work is done: work still running loses its token.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing
    this.#closed = true
    this.#stopRenewing()
    this.#redis.off('ready', this.#onReady)
    this.#listener.close()
    const closedError = this.#closedError()
    const ids = [...this.#forget]
    this.#forget.clear()
    for (let waiter = this.#waiters.head; waiter !== undefined; waiter = this.#waiters.head) {
      if (waiter.state === QUEUED) ids.push(waiter.id)
      // One still on its way is forgotten when its reply comes (it is GONE by then).
      this.#unlink(waiter)
      waiter.state = GONE
      waiter.reject(closedError)
    }
    for (const state of this.#held.values()) {
      ids.push(state.id)
      this.#abortLease(state, closedError)
    }
    this.#held.clear()
    for (const state of this.#fallbackLeases) this.#abortLease(state, closedError)
    this.#fallbackLeases.clear()
    this.#closing = this.#finishClosing(ids)
    return this.#closing
  }

  async #finishClosing(ids: string[]): Promise<void> {
    if (ids.length > 0 && this.#outageSince === undefined) {
      await new Promise<void>((resolve) => {
        this.#call(
          heartbeatScript,
          [ids.length, 0, 0, 0, ...ids],
          () => resolve(),
          () => resolve(),
        )
      })
    }
    if (this.#pending.size > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve
      })
    }
  }

  // ---- Redis calls -------------------------------------------------------------------------

  /**
   * Runs one script, bounded by `commandTimeoutMs`. Exactly one of `onReply` and `onError` is
   * called; a reply that comes after the timeout is dropped (ids it concerned are forgotten through
   * `#forget`), and during an outage it tells that Redis is back.
   */
  #call(
    script: RedisScript,
    args: readonly (string | number)[],
    onReply: (reply: Reply) => void,
    onError: (error: unknown) => void,
  ): void {
    const settings = this.#settings
    const call: PendingCall = {
      deadline: 0,
      settled: false,
      onReply,
      onError,
      previous: undefined,
      next: undefined,
    }
    this.#pending.add(call)
    script
      .run(this.#redis, this.#layout.keys, [
        this.#instanceId,
        settings.leaseMs,
        settings.renewEveryMs,
        settings.totalTokens,
        ...args,
      ])
      .then(
        (reply) => this.#answered(call, reply as Reply),
        (error: unknown) => this.#failed(call, error),
      )
  }

  #answered(call: PendingCall, reply: Reply): void {
    if (call.settled) {
      // It timed out already; Redis answering tells that it is back.
      if (this.#outageSince !== undefined) this.#renew()
      return
    }
    call.settled = true
    this.#pending.remove(call)
    try {
      this.#view(reply)
      // Hand-overs to this instance's own waiters come back in the reply: the last element counts
      // them, id and grant number pairs precede it.
      const last = reply.length - 1
      for (let at = last - 2 * (reply[last] as number); at < last; at += 2) {
        this.#handOver(reply[at] as string, Number(reply[at + 1]))
      }
      call.onReply(reply)
    } finally {
      this.#callSettled()
    }
  }

  #failed(call: PendingCall, error: unknown): void {
    if (call.settled) return
    call.settled = true
    this.#pending.remove(call)
    try {
      call.onError(error)
    } finally {
      this.#callSettled()
    }
  }

  readonly #callTimedOut = (call: PendingCall): void => {
    call.settled = true
    const timeoutMs = this.#settings.commandTimeoutMs
    try {
      call.onError(
        new TimeoutError(
          `Redis did not answer limiter "${this.name}" within commandTimeoutMs (${timeoutMs} ms)`,
          timeoutMs,
        ),
      )
    } finally {
      this.#callSettled()
    }
  }

  #callSettled(): void {
    if (this.#pending.size === 0 && this.#drained !== undefined) {
      this.#drained()
      this.#drained = undefined
    }
  }

  /** Takes the cluster-wide numbers from a reply. */
  #view(reply: Reply): void {
    this.#borrowed = reply[3] as number
    this.#queued = reply[4] as number
    const limit = reply[2] as number
    // -1: a call that did not need the limit did not read it.
    if (limit < 0) return
    this.#totalTokens = limit
    if (!this.#limitChecked) {
      this.#limitChecked = true
      if (this.#settings.totalTokensGiven && limit !== this.#settings.totalTokens) {
        process.emitWarning(
          `RedisCapacityLimiter "${this.name}" was created with totalTokens ${this.#settings.totalTokens}, but Redis already stores ${limit} for this name; the stored limit applies (change it with limiter.totalTokens = n)`,
          { code: 'LOOPWORK_LIMIT_MISMATCH' },
        )
      }
    }
  }

  /** Gives up an id in Redis now (release or leave the queue); remembered if Redis fails. */
  #forgetNow(id: string): void {
    if (this.#outageSince !== undefined) {
      this.#forget.add(id)
      this.#startRenewing()
      return
    }
    this.#call(releaseScript, [id], ignore, (error) => {
      this.#forget.add(id)
      this.#enterOutage(error)
    })
  }

  // ---- waiting -----------------------------------------------------------------------------

  #send(waiter: RedisWaiter): void {
    waiter.state = SENDING
    const sentAt = performance.now()
    waiter.renewedAt = sentAt
    this.#call(
      acquireScript,
      [waiter.id, waiter.tryOnly ? '1' : '0'],
      (reply) => this.#onAcquireReply(waiter, reply, sentAt),
      (error) => {
        if (waiter.state === SENDING || waiter.state === GONE) this.#forget.add(waiter.id)
        this.#enterOutage(error)
      },
    )
  }

  #onAcquireReply(waiter: RedisWaiter, reply: Reply, sentAt: number): void {
    const status = reply[0]
    if (waiter.state === GONE) {
      // It gave up (or the limiter closed) while the call was on its way.
      if (status !== 0) this.#forgetNow(waiter.id)
      return
    }
    // Already served by a hand-over that overtook this reply, or moved to the outage fallback
    // (whose entry forgets the id in Redis).
    if (waiter.state !== SENDING) return
    if (status === 1) {
      this.#grant(waiter, reply[1] as number, sentAt)
    } else if (status === 2) {
      waiter.state = QUEUED
      waiter.ticket = reply[1] as number
      this.#emitWait()
      this.#listener.wake()
      this.#startRenewing()
    } else {
      this.#unlink(waiter)
      waiter.state = GONE
      waiter.reject(waiter.timeoutMs === 0 ? this.#timeout(0) : this.#queueFull())
    }
  }

  /**
   * A hand-over pushed to this instance's list by the script that freed a token:
   * "<waiter id> <grant number> <limit> <borrowed> <waiting>".
   */
  #deliver(entry: string): void {
    const fields = entry.split(' ')
    this.#view([0, 0, Number(fields[2]), Number(fields[3]), Number(fields[4])])
    this.#handOver(fields[0]!, Number(fields[1]))
  }

  /** A token Redis handed to one of this instance's waiters, by a push or in a reply. */
  #handOver(id: string, token: number): void {
    const waiter = this.#waiterById.get(id)
    // Gone (it gave up: its cancel gives the token back in Redis) or served already.
    if (waiter === undefined || (waiter.state !== QUEUED && waiter.state !== SENDING)) return
    // A hand-over older than the waiter's current place in the queue, or one that may have run out
    // already: the next renewal call tells whether it still stands.
    if (token <= waiter.minToken) return
    if (performance.now() >= waiter.renewedAt + this.#settings.leaseMs) return
    this.#grant(waiter, token, waiter.renewedAt)
  }

  #grant(waiter: RedisWaiter, token: number, renewedAt: number): void {
    this.#unlink(waiter)
    waiter.state = GRANTED
    const state = this.#leaseState(waiter.id, token, false, renewedAt)
    this.#held.set(state.id, state)
    this.#acquired++
    this.#startRenewing()
    this.#watchDeadline(renewedAt + this.#settings.leaseMs)
    if (isWatched(this)) this.#emitLease('acquire', state.lease)
    waiter.resolve(state.lease)
  }

  #giveUp(waiter: RedisWaiter, reason: 'abort' | 'timeout'): void {
    if (waiter.state === GRANTED || waiter.state === GONE) return
    const previous = waiter.state
    this.#unlink(waiter)
    waiter.state = GONE
    // A waiter on its way is forgotten when its reply comes; one in the fallback has nothing in Redis.
    if (previous === QUEUED) this.#forgetNow(waiter.id)
    if (reason === 'abort') {
      this.#aborted++
      this.#emitReject('abort')
      waiter.reject(this.#abortError(waiter.signal!))
    } else {
      this.#timedOut++
      this.#emitReject('timeout')
      waiter.reject(this.#timeout(waiter.timeoutMs))
    }
  }

  #unlink(waiter: RedisWaiter): void {
    if (waiter.timer !== undefined) clearTimeout(waiter.timer)
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener('abort', waiter.onAbort)
    waiter.timer = undefined
    waiter.onAbort = undefined
    this.#waiters.remove(waiter)
    this.#waiterById.delete(waiter.id)
  }

  // ---- leases ------------------------------------------------------------------------------

  #leaseState(id: string, token: number, fallback: boolean, renewedAt: number): LeaseState {
    const state: LeaseState = {
      id,
      token,
      fallback,
      renewedAt,
      released: false,
      lostReason: undefined,
      controller: undefined,
      lease: undefined as unknown as RedisLease,
    }
    state.lease = new RedisLease(state, this.#owner)
    return state
  }

  #releaseLease(state: LeaseState): Promise<boolean> {
    if (state.released) return Promise.resolve(false)
    state.released = true
    const stillHeld = state.lostReason === undefined
    if (state.fallback) {
      this.#fallbackLeases.delete(state)
      if (isWatched(this)) this.#emitLease('release', state.lease)
      this.#dispatchFallback()
      return Promise.resolve(stillHeld)
    }
    const counted = this.#held.delete(state.id)
    if (isWatched(this)) this.#emitLease('release', state.lease)
    // close() gave it back already.
    if (this.#closed && !counted) return Promise.resolve(false)
    if (this.#outageSince !== undefined) {
      this.#forget.add(state.id)
      this.#dispatchFallback()
      return Promise.resolve(false)
    }
    return new Promise((resolve) => {
      this.#call(
        releaseScript,
        [state.id],
        (reply) => resolve(reply[0] === 1 && stillHeld),
        (error) => {
          this.#forget.add(state.id)
          this.#enterOutage(error)
          resolve(false)
        },
      )
    })
  }

  #lose(state: LeaseState, reason: 'expired' | 'unrenewed'): void {
    if (!this.#held.delete(state.id)) return
    const error = new LeaseLostError(
      reason === 'expired'
        ? `Lease ${state.id} of limiter "${this.name}" had already run out in Redis when its renewal arrived; its token may belong to someone else now`
        : `Lease ${state.id} of limiter "${this.name}" ran out (leaseMs ${this.#settings.leaseMs}) before a renewal could be confirmed; its token may belong to someone else now`,
      reason,
    )
    this.#abortLease(state, error)
    this.#leasesLost++
    if (isWatched(this)) {
      try {
        this.emit('leaseLost', { lease: state.lease, reason, stats: this.stats() })
      } catch (listenerError) {
        reportListenerError(listenerError)
      }
    }
    this.#dispatchFallback()
  }

  #abortLease(state: LeaseState, reason: unknown): void {
    if (state.lostReason !== undefined) return
    state.lostReason = reason
    state.controller?.abort(reason)
  }

  /** Loses every lease whose last confirmed renewal is `leaseMs` old: it may have run out in Redis. */
  #checkDeadlines(): void {
    const now = performance.now()
    const leaseMs = this.#settings.leaseMs
    let earliest = Number.POSITIVE_INFINITY
    for (const state of this.#held.values()) {
      const deadline = state.renewedAt + leaseMs
      if (now >= deadline) this.#lose(state, 'unrenewed')
      else if (deadline < earliest) earliest = deadline
    }
    this.#watchDeadline(earliest)
  }

  /** Keeps one timer on the earliest lease deadline, so a lost lease aborts on time, not a tick late. */
  #watchDeadline(deadline: number): void {
    if (deadline >= this.#expiryAt || this.#closed) return
    if (this.#expiryTimer !== undefined) clearTimeout(this.#expiryTimer)
    this.#expiryAt = deadline
    this.#expiryTimer = startTimer(
      this.#onExpiryTimer,
      Math.max(0, Math.ceil(deadline - performance.now())),
    )
  }

  // ---- renewal -----------------------------------------------------------------------------

  #startRenewing(): void {
    if (this.#renewTimer === undefined && !this.#closed) {
      this.#renewTimer = startInterval(this.#onRenewTick, this.#settings.renewEveryMs)
    }
  }

  #stopRenewing(): void {
    if (this.#renewTimer !== undefined) clearInterval(this.#renewTimer)
    this.#renewTimer = undefined
    if (this.#expiryTimer !== undefined) clearTimeout(this.#expiryTimer)
    this.#expiryTimer = undefined
    this.#expiryAt = Number.POSITIVE_INFINITY
  }

  /**
   * One call for everything this instance keeps alive in Redis: its leases, its queued waiters (a
   * hand-over whose push was lost is found here), ids to forget, and fallback leases to count.
   * During an outage the same call is the probe that ends it.
   */
  #renew(): void {
    if (this.#renewing || this.#closed) return
    // Deadlines first: a lease that may have run out is not renewed back into life.
    if (this.#expiryTimer !== undefined) clearTimeout(this.#expiryTimer)
    this.#expiryTimer = undefined
    this.#expiryAt = Number.POSITIVE_INFINITY
    this.#checkDeadlines()
    const queued: RedisWaiter[] = []
    for (let waiter = this.#waiters.head; waiter !== undefined; waiter = waiter.next) {
      if (waiter.state === QUEUED) queued.push(waiter)
    }
    if (
      this.#held.size === 0 &&
      queued.length === 0 &&
      this.#forget.size === 0 &&
      this.#fallbackLeases.size === 0 &&
      this.#outageSince === undefined
    ) {
      this.#stopRenewing()
      return
    }
    const forget = [...this.#forget]
    this.#forget.clear()
    const held = [...this.#held.values()]
    const adopt = [...this.#fallbackLeases]
    const args: (string | number)[] = [forget.length, held.length, queued.length, adopt.length]
    for (const id of forget) args.push(id)
    for (const state of held) args.push(state.id)
    for (const waiter of queued) args.push(waiter.id, waiter.ticket)
    for (const state of adopt) args.push(state.id)
    this.#renewing = true
    const sentAt = performance.now()
    this.#call(
      heartbeatScript,
      args,
      (reply) => {
        this.#renewing = false
        this.#onRenewed(reply, sentAt, held, queued, adopt)
      },
      (error) => {
        this.#renewing = false
        for (const id of forget) this.#forget.add(id)
        this.#enterOutage(error)
      },
    )
  }

  #onRenewed(
    reply: Reply,
    sentAt: number,
    held: readonly LeaseState[],
    queued: readonly RedisWaiter[],
    adopt: readonly LeaseState[],
  ): void {
    let at = 5
    for (const state of held) {
      const renewed = reply[at++] === 1
      if (this.#held.get(state.id) !== state) continue
      if (renewed) state.renewedAt = sentAt
      else this.#lose(state, 'expired')
    }
    for (const waiter of queued) {
      const result = reply[at++] as number
      if (waiter.state !== QUEUED) continue
      if (result > 0) {
        if (result > waiter.minToken) this.#grant(waiter, result, sentAt)
      } else {
        if (result < 0) waiter.minToken = -result - 1
        waiter.renewedAt = sentAt
      }
    }
    for (const state of adopt) {
      at++
      if (!this.#fallbackLeases.delete(state)) {
        // Released meanwhile: counted in Redis by this very call, so given back there too.
        this.#forgetNow(state.id)
        continue
      }
      state.fallback = false
      state.renewedAt = sentAt
      this.#held.set(state.id, state)
    }
    this.#checkDeadlines()
    if (this.#outageSince !== undefined) this.#recover()
  }

  // ---- outages -----------------------------------------------------------------------------

  #enterOutage(error: unknown): void {
    if (this.#closed) return
    const starting = this.#outageSince === undefined
    if (starting) {
      this.#outageSince = performance.now()
      this.#outageError = error
      this.#outages++
    }
    const failOpen = this.#settings.onOutage === 'failOpen'
    let waiter = this.#waiters.head
    while (waiter !== undefined) {
      const next = waiter.next
      if (waiter.state === SENDING || waiter.state === QUEUED) {
        this.#forget.add(waiter.id)
        if (failOpen) {
          waiter.state = FALLBACK
        } else {
          this.#unlink(waiter)
          waiter.state = GONE
          this.#unavailable++
          this.#emitReject('unavailable')
          waiter.reject(this.#unavailableError(error))
        }
      }
      waiter = next
    }
    if (starting && isWatched(this)) {
      try {
        this.emit('outage', { error, onOutage: this.#settings.onOutage, stats: this.stats() })
      } catch (listenerError) {
        reportListenerError(listenerError)
      }
    }
    this.#dispatchFallback()
    this.#startRenewing()
  }

  #recover(): void {
    const outageMs = performance.now() - this.#outageSince!
    this.#outageSince = undefined
    this.#outageError = undefined
    if (isWatched(this)) {
      try {
        this.emit('recover', { outageMs, stats: this.stats() })
      } catch (listenerError) {
        reportListenerError(listenerError)
      }
    }
    // The fallback's waiters queue in Redis, in their order.
    for (let waiter = this.#waiters.head; waiter !== undefined; waiter = waiter.next) {
      if (waiter.state === FALLBACK) this.#send(waiter)
    }
  }

  /** During a failOpen outage, at most `fallbackTokens` leases run in this instance. */
  #fallbackFree(): boolean {
    return this.#held.size + this.#fallbackLeases.size < this.#settings.fallbackTokens
  }

  #dispatchFallback(): void {
    if (this.#outageSince === undefined || this.#settings.onOutage !== 'failOpen') return
    while (this.#waiters.head !== undefined && this.#fallbackFree()) {
      this.#grantFallback(this.#waiters.head)
    }
  }

  #grantFallback(waiter: RedisWaiter | undefined): RedisLease {
    if (waiter !== undefined) {
      this.#unlink(waiter)
      waiter.state = GRANTED
    }
    const state = this.#leaseState(waiter?.id ?? this.#newId(), 0, true, performance.now())
    this.#fallbackLeases.add(state)
    this.#acquired++
    this.#startRenewing()
    if (isWatched(this)) this.#emitLease('acquire', state.lease)
    waiter?.resolve(state.lease)
    return state.lease
  }

  // ---- errors and events -------------------------------------------------------------------

  #newId(): string {
    return `${this.#instanceId}:${++this.#nextId}`
  }

  #queueFull(): QueueFullError {
    this.#rejected++
    this.#emitReject('queueFull')
    return new QueueFullError(
      `Limiter "${this.name}" already has maxWaiting (${this.#maxWaiting}) callers of this instance waiting; raise maxWaiting or shed load upstream`,
      'maxWaiting',
      this.#maxWaiting,
    )
  }

  #timeout(timeoutMs: number): TimeoutError {
    if (timeoutMs === 0) {
      this.#timedOut++
      this.#emitReject('timeout')
    }
    return new TimeoutError(
      `No token of limiter "${this.name}" became free within timeoutMs (${timeoutMs} ms)`,
      timeoutMs,
    )
  }

  #abortError(signal: AbortSignal): Error {
    return abortErrorFor(`Waiting for a token of limiter "${this.name}" was aborted`, signal)
  }

  #unavailableError(cause: unknown): RedisUnavailableError {
    return new RedisUnavailableError(
      `Limiter "${this.name}" cannot reach Redis (${messageOf(cause)}) and runs with onOutage: 'failClosed', so no token was handed out; it returns to normal by itself once Redis answers`,
      cause,
    )
  }

  #closedError(): ClosedError {
    return new ClosedError(`Limiter "${this.name}" is closed`)
  }

  #emitWait(): void {
    if (!isWatched(this)) return
    try {
      this.emit('wait', { stats: this.stats() })
    } catch (error) {
      reportListenerError(error)
    }
  }

  #emitLease(name: 'acquire' | 'release', lease: RedisLease): void {
    try {
      this.emit(name, { lease, stats: this.stats() })
    } catch (error) {
      reportListenerError(error)
    }
  }

  #emitReject(reason: RedisCapacityLimiterRejectReason): void {
    if (!isWatched(this)) return
    try {
      this.emit('reject', { reason, stats: this.stats() })
    } catch (error) {
      reportListenerError(error)
    }
  }
}

function ignore(): void {}
