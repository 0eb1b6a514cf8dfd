import type { EventEmitter } from 'eventemitter3'
import type { JobInfo, TaskQueueEvents } from '../task-queue-options.js'
import { emitSafely, reportSafely } from './error-reporting.js'
import { defaultJobFailureLog } from './queue-settings.js'

/**
 * Reports a job that failed for good, the same way in both backends: to `onError` if given, to the
 * `fail` event if anyone listens, and to stderr if neither, so no failure goes unseen.
 */
export function reportJobFailure(
  queue: EventEmitter<TaskQueueEvents>,
  queueName: string,
  onError: ((error: unknown, job: JobInfo) => unknown) | undefined,
  job: JobInfo,
  error: unknown,
): void {
  const what = `job "${job.name}" (id ${job.id}) of queue "${queueName}"`
  if (onError !== undefined) reportSafely(onError, what, error, job)
  const listened = queue.listenerCount('fail') !== 0
  if (listened) emitSafely(what, () => queue.emit('fail', { job, error }))
  if (onError === undefined && !listened) defaultJobFailureLog(queueName, job, error)
}
