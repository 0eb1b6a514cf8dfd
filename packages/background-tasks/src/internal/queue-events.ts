import type { EventEmitter } from 'eventemitter3'
import type { TaskQueueEvents, TaskQueueIdleEvent } from '../task-queue-options.js'
import { emitSafely, logFailure, toError } from './error-reporting.js'

/** The one `idle` event object: it has no fields, and freezing it keeps listeners from adding any. */
export const IDLE_EVENT: TaskQueueIdleEvent = Object.freeze({})

/**
 * Reports a problem of a durable queue's store that the queue recovers from by itself (Redis out of
 * reach, the database locked, a lease lost): to the `error` event while someone listens, else to
 * stderr, saying `what` failed.
 */
export function reportQueueError(
  queue: EventEmitter<TaskQueueEvents>,
  queueName: string,
  what: string,
  error: unknown,
): void {
  const failure = toError(error)
  if (queue.listenerCount('error') !== 0) {
    emitSafely(`queue "${queueName}"`, () => queue.emit('error', failure))
  } else {
    logFailure(what, failure)
  }
}
