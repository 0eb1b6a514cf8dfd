/** Options of a `CapacityLimiter`. Every key is checked: a misspelled one is a `TypeError`. */
export interface CapacityLimiterOptions {
  /**
   * How many tokens can be borrowed at once: the number of calls that may run concurrently.
   * A positive integer, or `Infinity` for no limit. Changeable later through `limiter.totalTokens`.
   *
   * @default 40
   * @example new CapacityLimiter({ totalTokens: 10 })
   */
  readonly totalTokens?: number | undefined

  /**
   * How many callers may wait for a token before further callers are refused at once with a
   * `QueueFullError` (load shedding; HTTP adapters answer it with 503 and `Retry-After`).
   * `0` means "never wait": a caller either gets a free token or is refused. `Infinity` removes the
   * bound; every waiter costs a few hundred bytes, so keep a bound on servers.
   * Changeable later through `limiter.maxWaiting`.
   *
   * @default 10_000
   * @example new CapacityLimiter({ totalTokens: 40, maxWaiting: 1000 })
   */
  readonly maxWaiting?: number | undefined

  /**
   * A name for error messages, events and metrics: a non-empty string.
   *
   * @default 'limiter'
   * @example new CapacityLimiter({ name: 'db' })
   */
  readonly name?: string | undefined
}

/**
 * Options of one wait for a token: `run`, `wrap` (applied to every call), `acquire` and
 * `acquireOnBehalfOf`. Both bound the wait only, never the work that runs once it holds a token.
 */
export interface AcquireOptions {
  /**
   * Cancels the wait: the caller leaves the queue at once and the call rejects with an `AbortError`
   * whose `cause` is the signal's reason. An already aborted signal rejects at once and the work
   * never starts. Once a token has been handed over the signal no longer matters: running work is
   * not stopped.
   *
   * @default undefined (the wait cannot be cancelled)
   * @example await limiter.run(work, { signal: request.signal })
   */
  readonly signal?: AbortSignal | undefined

  /**
   * Gives up waiting after this many milliseconds with a `TimeoutError`: a number from 0 to
   * 2,147,483,647 (about 24.8 days), or `Infinity` for no limit (no timer is started). With `0` a
   * caller takes a free token, or gives up when the timer fires.
   *
   * @default Infinity (wait as long as it takes)
   * @example await limiter.acquire({ timeoutMs: 500 })
   */
  readonly timeoutMs?: number | undefined
}

/** A snapshot of a limiter, as `stats()` returns it: a fresh plain object on every call. */
export interface CapacityLimiterStats {
  /** The limiter's name. */
  readonly name: string
  /** Calls holding a token right now (the same number as `borrowedTokens`). */
  readonly running: number
  /** Callers queued for a token. */
  readonly waiting: number
  /** Tokens in total (the concurrency cap). */
  readonly totalTokens: number
  /** Tokens borrowed right now. */
  readonly borrowedTokens: number
  /** Tokens free right now (never negative, even after a shrink below `borrowedTokens`). */
  readonly availableTokens: number
  /** The bound on `waiting`. */
  readonly maxWaiting: number
  /** Tokens handed out since the limiter was created. */
  readonly acquired: number
  /** Callers refused because `maxWaiting` callers were already waiting. */
  readonly rejected: number
  /** Waits that ran out of `timeoutMs`. */
  readonly timedOut: number
  /** Waits cancelled through their signal (including signals already aborted at the call). */
  readonly aborted: number
}

/**
 * Why a caller got no token: refused because `maxWaiting` callers were waiting, its `timeoutMs` ran
 * out, or its signal aborted.
 */
export type CapacityLimiterRejectReason = 'queueFull' | 'timeout' | 'abort'

/** What the `acquire`, `release` and `wait` events carry. */
export interface CapacityLimiterEvent {
  /** The limiter's state right after the change. */
  readonly stats: CapacityLimiterStats
}

/** What the `reject` event carries. */
export interface CapacityLimiterRejectEvent {
  /** Why the caller got no token. */
  readonly reason: CapacityLimiterRejectReason
  /** The limiter's state right after the caller was turned away. */
  readonly stats: CapacityLimiterStats
}

/**
 * Events of a limiter (an eventemitter3 emitter); every listener receives one event object. They are
 * built only while someone listens, so an unwatched limiter pays nothing for them. A listener that
 * throws is reported as an uncaught exception; it never leaves a token or a waiter behind.
 *
 * @example limiter.on('reject', ({ reason, stats }) => log.warn(reason, stats.waiting))
 */
export interface CapacityLimiterEvents {
  /** A token was handed out. */
  acquire: [event: CapacityLimiterEvent]
  /** A token was given back. */
  release: [event: CapacityLimiterEvent]
  /** A caller found no free token and joined the queue. */
  wait: [event: CapacityLimiterEvent]
  /** A caller got no token: refused because the queue was full, timed out, or aborted. */
  reject: [event: CapacityLimiterRejectEvent]
}
