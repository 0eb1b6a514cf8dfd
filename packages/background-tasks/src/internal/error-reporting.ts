import { adoptThenable } from '@loopwork/internal'

/**
 * The default error report: one line naming what failed, then the error with its stack. It writes to
 * stderr through `console.error`, so it shows up in every log collector without configuration.
 */
export function logFailure(what: string, error: unknown): void {
  console.error(`[loopwork] ${what} failed:`, error)
}

/**
 * Calls a user's error callback. A callback that throws or rejects must neither break the caller's
 * bookkeeping nor turn into an unhandled rejection, so its own error is logged next to the original
 * one. What it returns is adopted once: a lazy thenable's `then()` runs exactly once.
 */
export function reportSafely<A extends unknown[]>(
  callback: (...args: A) => unknown,
  what: string,
  ...args: A
): void {
  try {
    adoptThenable(callback(...args))?.then(undefined, (callbackError: unknown) =>
      logCallbackFailure(what, callbackError),
    )
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

/** Makes a thrown value an `Error`, keeping the original as `cause` when it was not one. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value), { cause: value })
}
