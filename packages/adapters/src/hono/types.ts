import type { ServerResponse } from 'node:http'
import type { BackgroundTasks, TaskSupervisor } from '@loopwork/background-tasks'
import type { Metrics, StatusPageOptions } from '@loopwork/metrics'
import type { Context, MiddlewareHandler } from 'hono'

/** The Hono environment the `backgroundTasks()` middleware adds to: `c.get('backgroundTasks')` is typed. */
export interface BackgroundTasksEnv {
  /** What the middleware sets on the context, for `c.get()`. */
  Variables: {
    /** Work to run once this response has been sent (also when the client disconnected). */
    backgroundTasks: BackgroundTasks
  }
}

/** The `backgroundTasks()` middleware, with the supervisor its tasks run under (give it to `shutdown()`). */
export type BackgroundTasksMiddleware = MiddlewareHandler<BackgroundTasksEnv> & {
  /** Every response's tasks run under it; `shutdown(server, { resources: [tasks.supervisor] })` drains them. */
  readonly supervisor: TaskSupervisor
}

/**
 * The part of @hono/node-server's `HttpBindings` the adapters read, declared here so the types do
 * not require @hono/node-server (off Node, `c.env` holds the runtime's own bindings).
 */
export interface NodeResponseBindings {
  /** The Node response behind this request, when Hono runs on Node through @hono/node-server. */
  readonly outgoing?: ServerResponse | undefined
}

/** Options of the Hono `statusPage()` handler: the metrics package's options, `authorize` receives the context. */
export interface HonoStatusPageOptions extends StatusPageOptions<Context> {
  /**
   * Whose status the page shows: requests, tracked primitives, blocked-loop reports.
   *
   * @example app.get('/status/*', statusPage({ metrics }))
   */
  readonly metrics: Metrics
}
