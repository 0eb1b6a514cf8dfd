/**
 * One caller waiting for a token. It is the only record a queued call allocates (besides the
 * promise handed back to the caller), and it doubles as its own linked-list node, so leaving the
 * queue from its middle (abort, timeout) is O(1) without a separate node object.
 */
export interface Waiter {
  /** The work of a queued `run()`, or `undefined` for `acquire()` and `acquireOnBehalfOf()`. */
  task: (() => unknown) | undefined
  /** The borrower of `acquireOnBehalfOf`, or `undefined`. */
  borrower: unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  timer: ReturnType<typeof setTimeout> | undefined
  previous: Waiter | undefined
  next: Waiter | undefined
}
