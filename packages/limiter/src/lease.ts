/** What a lease gives its token back to: the limiter that lent it. */
export interface TokenHolder {
  /** Takes the token back; called at most once per lease. */
  returnToken(): void
}

/**
 * One borrowed token, as `acquire()` and `tryAcquire()` hand it out. Release it exactly when the work
 * is done; releasing again does nothing, so a `finally` and a `using` declaration can both release
 * without giving back two tokens.
 *
 * @example
 * using lease = await limiter.acquire()   // released when the scope ends
 */
export class Lease implements Disposable {
  #holder: TokenHolder | undefined

  /**
   * Leases come from the limiter; this constructor is not meant to be called directly.
   *
   * @internal
   */
  constructor(holder: TokenHolder) {
    this.#holder = holder
  }

  /** Whether this lease still holds its token. */
  get held(): boolean {
    return this.#holder !== undefined
  }

  /** Gives the token back to the limiter. Idempotent. */
  release(): void {
    const holder = this.#holder
    if (holder === undefined) return
    this.#holder = undefined
    holder.returnToken()
  }

  /** Releases the token when a `using` declaration goes out of scope. */
  [Symbol.dispose](): void {
    this.release()
  }
}
