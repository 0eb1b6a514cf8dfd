import type { ListNode } from '@loopwork/internal'
import type { RedisLease } from '../redis-lease.js'

/** On its way to Redis (the acquire call has not answered yet). */
export const SENDING = 0
/** Queued in Redis, waiting for a hand-over. */
export const QUEUED = 1
/** Waiting for a token of the local outage fallback. */
export const FALLBACK = 2
/** Served: it holds a lease. */
export const GRANTED = 3
/** Gone without a token (gave up, refused, closed); Redis may still have to forget its id. */
export const GONE = 4

/** Where a caller of `acquire()` stands. */
export type WaiterState =
  | typeof SENDING
  | typeof QUEUED
  | typeof FALLBACK
  | typeof GRANTED
  | typeof GONE

/** One caller of this instance that has no token yet, in FIFO order among this instance's callers. */
export interface RedisWaiter extends ListNode<RedisWaiter> {
  /** Its id in Redis (also the id of the lease it gets): `<instance id>:<number>`. */
  readonly id: string
  state: WaiterState
  /** Never queue: a free token or a refusal (`timeoutMs: 0`, or `maxWaiting` reached). */
  readonly tryOnly: boolean
  /** Its place in the Redis queue, to be queued again at the same place if Redis dropped it. */
  ticket: number
  /** Hand-overs numbered up to this were made before Redis queued it again: stale. */
  minToken: number
  /** When (performance.now()) the last call that renewed its place in Redis was sent. */
  renewedAt: number
  readonly resolve: (lease: RedisLease) => void
  readonly reject: (error: unknown) => void
  readonly signal: AbortSignal | undefined
  readonly timeoutMs: number
  onAbort: (() => void) | undefined
  timer: ReturnType<typeof setTimeout> | undefined
}
