/**
 * One caller waiting for a token. Besides the promise handed back to the caller it is the only
 * record a queued call allocates, and it doubles as its own list node, so leaving the queue from its
 * middle (abort, timeout) is O(1) without a separate node object. It holds only what every wait
 * needs; the rarer parts live in a {@link WaitGuard}, allocated only for waits that have them,
 * because on a queue of 200,000 waiters the record's size is what the garbage collector pays for.
 */
export interface Waiter {
  /** The work of a queued `run()`, or `undefined` for `acquire()` and `acquireOnBehalfOf()`. */
  task: (() => unknown) | undefined
  /** Settles the wait: with the waiter itself for `run()`, a lease for `acquire()`. */
  resolve: (value: unknown) => void
  /** The signal, timer and borrower of this wait, if it has any. */
  guard: WaitGuard | undefined
  previous: Waiter | undefined
  next: Waiter | undefined
}

/** What only some waits carry: a way to give up (signal, timer) and a borrower. */
export interface WaitGuard {
  /** The borrower of `acquireOnBehalfOf`, or `undefined`. */
  borrower: unknown
  reject: (error: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  timer: ReturnType<typeof setTimeout> | undefined
}
