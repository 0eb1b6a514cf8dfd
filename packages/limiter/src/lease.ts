/** What a lease gives its token back to; the limiter's own internal side. */
export interface TokenHolder {
  returnToken(): void
}

/**
 * One borrowed token. Release it exactly when the work is done; releasing again does nothing, so a
 * `finally` and a `using` declaration can both release without giving back two tokens.
 *
 * @example
 * using lease = await limiter.acquire()   // released when the scope ends
 */
export class Lease implements Disposable {
  #holder: TokenHolder | undefined

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

  [Symbol.dispose](): void {
    this.release()
  }
}
