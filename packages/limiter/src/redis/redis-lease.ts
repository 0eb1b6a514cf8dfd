import type { LeaseOwner, LeaseState } from './internal/lease-state.js'

/**
 * One token of a shared limit, held by this process. The limiter renews it in Redis while it is
 * held; release it when the work is done (idempotent, so a `finally` and a `using` declaration can
 * both release). If it could not be renewed in time, `signal` aborts with a `LeaseLostError`: the
 * token may belong to someone else by then, so work that can stop should.
 *
 * @example
 * await using lease = await limiter.acquire({ timeoutMs: 5_000 })
 * await callPartner({ signal: lease.signal, fence: lease.token })
 */
export class RedisLease implements Disposable, AsyncDisposable {
  readonly #state: LeaseState
  readonly #owner: LeaseOwner

  /**
   * Leases come from the limiter; this constructor is not meant to be called directly.
   *
   * @internal
   */
  constructor(state: LeaseState, owner: LeaseOwner) {
    this.#state = state
    this.#owner = owner
  }

  /** The lease's id in Redis, unique across instances: `<instance id>:<number>`. */
  get id(): string {
    return this.#state.id
  }

  /**
   * The grant number: Redis numbers every grant of this limit in increasing order, so a later
   * grant always has a larger number (a fencing token for a resource that can check it, and a
   * handle for logs). `0` for a lease handed out by the outage fallback.
   */
  get token(): number {
    return this.#state.token
  }

  /** Whether the outage fallback handed this lease out (while Redis was unreachable). */
  get fromFallback(): boolean {
    return this.#state.token === 0
  }

  /** Whether this lease still holds its token: not released, not lost. */
  get held(): boolean {
    return !this.#state.released && this.#state.lostReason === undefined
  }

  /**
   * Aborts when the lease is lost (not renewed in time: a `LeaseLostError`) or the limiter is
   * closed while it is held (a `ClosedError`). Never aborts because of `release()`.
   */
  get signal(): AbortSignal {
    const state = this.#state
    if (state.controller === undefined) {
      state.controller = new AbortController()
      if (state.lostReason !== undefined) state.controller.abort(state.lostReason)
    }
    return state.controller.signal
  }

  /**
   * Gives the token back (to the next waiter in FIFO order, in whichever instance). Idempotent and
   * never rejects: resolves `true` when Redis still counted the token for this lease, `false` when
   * it was released before, had been lost, or Redis could not be reached (then the limiter forgets
   * it in Redis as soon as Redis answers again).
   */
  release(): Promise<boolean> {
    return this.#owner.releaseLease(this.#state)
  }

  /** Releases the token when a `using` declaration goes out of scope (without waiting for Redis). */
  [Symbol.dispose](): void {
    void this.release()
  }

  /** Releases the token when an `await using` declaration goes out of scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release()
  }
}
