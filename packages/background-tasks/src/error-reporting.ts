/**
 * The default error report: one line naming what failed, then the error with its stack. It writes to
 * stderr through `console.error`, so it shows up in every log collector without configuration.
 */
export function logFailure(what: string, error: unknown): void {
  console.error(`[loopwork] ${what} failed:`, error)
}

/**
 * Calls a user's error callback. A callback that throws must neither break the caller's bookkeeping
 * nor turn into an unhandled rejection, so its own error is logged next to the original one.
 */
export function reportSafely<A extends unknown[]>(
  callback: (...args: A) => unknown,
  what: string,
  ...args: A
): void {
  try {
    const returned = callback(...args)
    if (isThenable(returned)) {
      returned.then(undefined, (callbackError: unknown) => logCallbackFailure(what, callbackError))
    }
  } catch (callbackError) {
    logCallbackFailure(what, callbackError)
  }
}

/**
 * Emits an event whose listeners are user code. A listener that throws would otherwise escape into
 * the promise reaction that settled the work and surface as an unhandled rejection, so its error is
 * logged instead.
 */
export function emitSafely(what: string, emit: () => unknown): void {
  try {
    emit()
  } catch (listenerError) {
    console.error(`[loopwork] an event listener for ${what} threw:`, listenerError)
  }
}

function logCallbackFailure(what: string, callbackError: unknown): void {
  console.error(`[loopwork] the onError callback for ${what} threw:`, callbackError)
}

/** Whether `value` is a promise or a foreign thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value instanceof Promise ||
    (value !== null &&
      (typeof value === 'object' || typeof value === 'function') &&
      typeof (value as { then?: unknown }).then === 'function')
  )
}

/** Makes a thrown value an `Error`, keeping the original as `cause` when it was not one. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value), { cause: value })
}
