// What a worker process fixture tells the test that forked it, over IPC. Imported by the fixtures,
// which run outside the test runner, so nothing here may import vitest.
import type { CloseReport, JobContext, TaskQueueApi } from '@loopwork/background-tasks'

/** A message from a worker process to its parent. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly pid: number }
  | {
      readonly type: 'started'
      readonly id: string
      readonly attempt: number
      readonly pid: number
    }
  | { readonly type: 'closed'; readonly report: CloseReport }
  | { readonly type: 'error'; readonly message: string }

/** Sends `message` to the parent (a process started without IPC sends nothing). */
export function tellParent(message: WorkerMessage): void {
  process.send?.(message)
}

/**
 * A job handler that tells the parent the job started, then runs until the process is killed, so
 * the parent can kill a worker mid-job.
 */
export async function hangUntilKilled(_data: { label: string }, job: JobContext): Promise<never> {
  tellParent({ type: 'started', id: job.id, attempt: job.attempt, pid: process.pid })
  return new Promise<never>(() => {})
}

/**
 * Tells the parent the worker is ready, and closes `queue` when the parent sends `'close'`: it then
 * reports the close, lets `release` free what else the worker holds, and ends the IPC channel so
 * the process may exit.
 */
export function serveParent(queue: Pick<TaskQueueApi<any>, 'close'>, release: () => void): void {
  process.on('message', (message) => {
    if (message !== 'close') return
    void queue.close({ timeoutMs: 2_000 }).then((report) => {
      tellParent({ type: 'closed', report })
      release()
      process.disconnect?.()
    })
  })
  tellParent({ type: 'ready', pid: process.pid })
}
