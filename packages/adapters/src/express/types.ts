import type { TaskSupervisor } from '@loopwork/background-tasks'
import type { Metrics, StatusPageOptions } from '@loopwork/metrics'
import type { Request, RequestHandler } from 'express'

/** The `backgroundTasks()` middleware, with the supervisor its tasks run under (give it to `shutdown()`). */
export type BackgroundTasksMiddleware = RequestHandler & {
  /** Every response's tasks run under it; `shutdown(server, { resources: [tasks.supervisor] })` drains them. */
  readonly supervisor: TaskSupervisor
}

/** Options of the Express `statusPage()` middleware: the metrics package's options, `authorize` typed for Express. */
export interface ExpressStatusPageOptions extends StatusPageOptions<Request> {
  /**
   * Whose status the page shows: requests, tracked primitives, blocked-loop reports.
   *
   * @example app.use('/status', statusPage({ metrics }))
   */
  readonly metrics: Metrics
}
