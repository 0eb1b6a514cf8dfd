import type { TransferListItem } from 'node:worker_threads'
import type { ListNode } from '@loopwork/internal'
import type { ThreadLimiterLease } from '../types.js'
import type { PoolThread } from './pool-thread.js'

/** A call's state: waiting for a limiter token. */
export const WAITING_FOR_TOKEN = 0
/** A call's state: holding a token, queued for a thread. */
export const QUEUED = 1
/** A call's state: handed to a thread (running, or next in line there). */
export const HANDED_OVER = 2
/** A call's state: resolved or rejected. */
export const SETTLED = 3

/**
 * One accepted call. It is the only record a call allocates besides its promise and lease, and it
 * doubles as its own node in the pool's queue, so leaving the queue from the middle (abort) is O(1).
 */
export interface Task extends ListNode<Task> {
  readonly name: string
  readonly args: unknown[]
  readonly transfer: readonly TransferListItem[] | undefined
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  /** When the call was made, on the pool's `performance.now()` clock. */
  readonly submittedAt: number
  state: number
  lease: ThreadLimiterLease | undefined
  /** A task that must not share its thread: it has a signal or a timeout and may get its thread terminated. */
  readonly guarded: boolean
  readonly signal: AbortSignal | undefined
  readonly timeoutMs: number | undefined
  onAbort: (() => void) | undefined
  timer: ReturnType<typeof setTimeout> | undefined
  /** When it was handed to a thread, on the pool's clock. */
  handedAt: number
  /** The thread it was handed to and its sequence number there. */
  thread: PoolThread | undefined
  sequence: number
}
