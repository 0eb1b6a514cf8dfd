import type { TransferListItem } from 'node:worker_threads'
import { assertOptionalMilliseconds, describe, wrongType } from './option-validation.js'

/** Options of one call, the third argument of `pool.run()` and the fourth of `toThread()`. */
export interface RunOptions {
  /**
   * Cancels the call. A call still waiting (for a limiter token or a thread) leaves the queue at
   * once. A call already running cannot be interrupted inside JavaScript, so its worker thread is
   * terminated and replaced (a few tens of milliseconds of start-up for the replacement); no other
   * call shares that thread meanwhile. Either way the call rejects with `AbortError` whose `cause`
   * is the signal's reason.
   *
   * @default undefined (the call cannot be cancelled)
   * @example await pool.run('render', [page], { signal: request.signal })
   */
  readonly signal?: AbortSignal | undefined

  /**
   * The longest the call may run, in milliseconds, counted from the moment a thread starts it
   * (time spent waiting in the queue does not count; bound waiting with the limiter, `maxQueue`
   * or a `signal`). Past it the thread is terminated and replaced, as for `signal`, and the call
   * rejects with `TaskTimeoutError`.
   *
   * @default undefined (no limit)
   * @example await pool.run('fib', [40], { timeoutMs: 1_000 })
   */
  readonly timeoutMs?: number | undefined

  /**
   * ArrayBuffers (or MessagePorts) inside the arguments to move to the thread instead of copying
   * them. The sender's buffer is detached: its `byteLength` becomes 0. If the thread dies before it
   * starts the call, the moved data is gone with it and the call rejects with `WorkerCrashedError`.
   *
   * @default undefined (everything is copied)
   * @example
   * const pixels = new Uint8Array(1 << 20)
   * await pool.run('blur', [pixels], { transfer: [pixels.buffer] })
   */
  readonly transfer?: readonly TransferListItem[] | undefined
}

/** Validates the options of one call; throws an error naming the option, the value and what is allowed. */
export function validateRunOptions(options: RunOptions): RunOptions {
  if (options === null || typeof options !== 'object') {
    throw wrongType(`run options must be an object, got ${describe(options)}`)
  }
  const { signal, transfer } = options
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw wrongType(`signal must be an AbortSignal, got ${describe(signal)}`)
  }
  if (transfer !== undefined && !Array.isArray(transfer)) {
    throw wrongType(`transfer must be an array of transferable objects, got ${describe(transfer)}`)
  }
  const timeoutMs = assertOptionalMilliseconds('timeoutMs', options.timeoutMs, false)
  return { signal, transfer, timeoutMs }
}
