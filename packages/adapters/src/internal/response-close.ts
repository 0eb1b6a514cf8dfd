import type { ServerResponse } from 'node:http'
import { CLIENT_CLOSED_REQUEST } from '../types.js'

/**
 * Calls `listener` once the response is over: after it was fully handed to the operating system
 * (`finish`, then `close`) or when the client cut the connection first (`close` alone). Node emits
 * `close` in both cases, so one listener covers both and nothing is missed when the client leaves,
 * the trap of after-response work that listens to `finish` only.
 */
export function whenResponseClosed(response: ServerResponse, listener: () => void): void {
  if (response.closed) {
    queueMicrotask(listener)
    return
  }
  // One shared `close` listener per response, whatever the number of features that wait for it:
  // `once()` would allocate a wrapper per call, on every request of every feature.
  const tracked = response as TrackedResponse
  const listeners = tracked[afterClose]
  if (listeners === undefined) {
    tracked[afterClose] = [listener]
    response.on('close', runAfterClose)
  } else listeners.push(listener)
}

const afterClose = Symbol('loopwork.afterClose')

interface TrackedResponse extends ServerResponse {
  [afterClose]?: (() => void)[] | undefined
}

function runAfterClose(this: TrackedResponse): void {
  const listeners = this[afterClose]
  this[afterClose] = undefined
  this.off('close', runAfterClose)
  if (listeners === undefined) return
  let failure: { error: unknown } | undefined
  for (const listener of listeners) {
    try {
      listener()
    } catch (error) {
      failure ??= { error }
    }
  }
  // Every listener ran; the first error surfaces as it would from an event listener.
  if (failure !== undefined) throw failure.error
}

/** The status to record for a closed response: its status code, or 499 when it never completed. */
export function completedStatus(response: ServerResponse): number {
  return response.writableFinished ? response.statusCode : CLIENT_CLOSED_REQUEST
}
