import type { BackgroundTasks, TaskSupervisor } from '@loopwork/background-tasks'
import type { Context, MiddlewareHandler, Next } from 'hono'
import {
  AfterResponseTasks,
  type BackgroundTasksMiddlewareOptions,
} from '../after-response-tasks.js'
import { nodeResponseOf, waitUntilOf } from './node-bindings.js'

/** The Hono environment the middleware adds to: `c.get('backgroundTasks')` is typed. */
export interface BackgroundTasksEnv {
  Variables: {
    /** Work to run once this response has been sent (also when the client disconnected). */
    backgroundTasks: BackgroundTasks
  }
}

/** The middleware, with the supervisor its tasks run under (give it to `shutdown()`). */
export type BackgroundTasksMiddleware = MiddlewareHandler<BackgroundTasksEnv> & {
  readonly supervisor: TaskSupervisor
}

/**
 * Gives every request a typed `c.get('backgroundTasks')` whose tasks run after the response:
 * on Node, once the Node response is over (sent, or cut off by the client: the tasks still run);
 * on runtimes with a real `executionCtx.waitUntil` (Cloudflare Workers...), handed to it; elsewhere,
 * on the next turn of the event loop after the handler returned its response.
 *
 * @example
 * const app = new Hono<BackgroundTasksEnv>()
 * const tasks = backgroundTasks()
 * app.use(tasks)
 * app.post('/signup', (c) => {
 *   c.get('backgroundTasks').add(sendWelcomeEmail, 'a@b.c')
 *   return c.json({ ok: true }, 201)
 * })
 */
export function backgroundTasks(
  options?: BackgroundTasksMiddlewareOptions,
): BackgroundTasksMiddleware {
  const afterResponse = new AfterResponseTasks(options)
  // Not an async function: on Node it hands back next()'s own promise, sparing a promise per request.
  const middleware: MiddlewareHandler<BackgroundTasksEnv> = (context, next) => {
    const tasks = afterResponse.create()
    context.set('backgroundTasks', tasks)
    const outgoing = nodeResponseOf(context)
    if (outgoing === undefined) return runAfterHandler(context, next, afterResponse, tasks)
    afterResponse.runAfter(outgoing, tasks)
    return next()
  }
  return Object.assign(middleware, { supervisor: afterResponse.supervisor })
}

/** Off Node: after the handler, through `waitUntil` where the runtime has it, else on the next turn. */
async function runAfterHandler(
  context: Context<BackgroundTasksEnv>,
  next: Next,
  afterResponse: AfterResponseTasks,
  tasks: BackgroundTasks,
): Promise<void> {
  try {
    await next()
  } finally {
    const waitUntil = waitUntilOf(context)
    if (waitUntil !== undefined) waitUntil(afterResponse.run(tasks))
    else setTimeout(() => afterResponse.run(tasks), 0)
  }
}
