/** Options of a {@link CapacityLimiter}. */
export interface CapacityLimiterOptions {
  /**
   * How many tokens can be borrowed at once: the number of calls that may run concurrently.
   * Any positive integer, or `Infinity` for no limit. Changeable later through `limiter.totalTokens`.
   *
   * @default 40 — the default of anyio's thread limiter (`to_thread.current_default_thread_limiter()`),
   * which caps the thread pool that FastAPI and Starlette run every plain `def` endpoint in.
   * @example new CapacityLimiter({ totalTokens: 10 })
   */
  readonly totalTokens?: number

  /**
   * How many callers may wait for a token before further callers are shed at once with
   * `LimiterQueueFullError` (load shedding; HTTP adapters answer it with 503 and `Retry-After`).
   * `0` means "never wait": a caller either gets a free token or is rejected. `Infinity` removes the
   * bound; every waiter costs a few hundred bytes, so keep a bound on servers.
   *
   * @default 10_000
   * @example new CapacityLimiter({ totalTokens: 40, maxWaiting: 1000 })
   */
  readonly maxWaiting?: number

  /**
   * A name for error messages, events and metrics.
   *
   * @default 'limiter'
   * @example new CapacityLimiter({ name: 'db' })
   */
  readonly name?: string
}

/** Options of one wait for a token (`acquire`, `run`, `acquireOnBehalfOf`). */
export interface AcquireOptions {
  /**
   * Cancels the wait: the caller leaves the queue at once and the call rejects with `AbortError`.
   * Once a token has been handed over the signal no longer matters; a running task is not stopped.
   *
   * @example await limiter.run(work, { signal: request.signal })
   */
  readonly signal?: AbortSignal | undefined

  /**
   * Gives up waiting after this many milliseconds with `LimiterTimeoutError`. It bounds the wait for a
   * token only, never the running time of the work.
   *
   * @default undefined (wait as long as it takes)
   * @example await limiter.acquire({ timeoutMs: 500 })
   */
  readonly timeoutMs?: number | undefined
}
