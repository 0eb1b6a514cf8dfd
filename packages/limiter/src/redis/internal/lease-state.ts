import type { RedisLease } from '../redis-lease.js'

/** The limiter's side of a lease, which the lease object keeps private from its users. */
export interface LeaseState {
  /** The lease's id in Redis (the id its waiter had). */
  readonly id: string
  /** The grant number Redis gave it; 0 for a lease of the outage fallback. */
  readonly token: number
  /** Handed out by the outage fallback and not yet counted in Redis. */
  fallback: boolean
  /** When (performance.now()) the last renewal that Redis confirmed was sent. */
  renewedAt: number
  /** `release()` was called. */
  released: boolean
  /** Why it was lost (a LeaseLostError or ClosedError), once it was. */
  lostReason: unknown
  /** Made on the first read of `lease.signal`, so a lease nobody watches allocates none. */
  controller: AbortController | undefined
  /** The public object. */
  lease: RedisLease
}

/** What a lease calls back into. */
export interface LeaseOwner {
  /** Gives the token back once; resolves whether Redis still counted it for this lease. */
  releaseLease(state: LeaseState): Promise<boolean>
}
