import type { TaskSupervisor } from '@loopwork/background-tasks'
import type { RequestHandler } from 'express'

/** The `backgroundTasks()` middleware, with the supervisor its tasks run under (give it to `shutdown()`). */
export type BackgroundTasksMiddleware = RequestHandler & {
  /** Every response's tasks run under it; `shutdown(server, { resources: [tasks.supervisor] })` drains them. */
  readonly supervisor: TaskSupervisor
}
