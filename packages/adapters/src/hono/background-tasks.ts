import type { MiddlewareHandler } from 'hono'
import { AfterResponseTasks } from '../internal/after-response/after-response-tasks.js'
import { nodeResponseOf, waitUntilOf } from '../internal/hono/node-bindings.js'
import type { BackgroundTasksMiddlewareOptions } from '../types.js'
import type { BackgroundTasksEnv, BackgroundTasksMiddleware } from './types.js'

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
  // On Node it hands back next()'s own promise (the tasks wait for the Node response's `close`),
  // sparing a promise per request; elsewhere the tasks start once the handler is done.
  const middleware: MiddlewareHandler<BackgroundTasksEnv> = (context, next) => {
    const tasks = afterResponse.create()
    context.set('backgroundTasks', tasks)
    const outgoing = nodeResponseOf(context)
    if (outgoing !== undefined) {
      afterResponse.runAfter(outgoing, tasks)
      return next()
    }
    return (async () => {
      try {
        await next()
      } finally {
        const waitUntil = waitUntilOf(context)
        if (waitUntil !== undefined) waitUntil(afterResponse.run(tasks))
        else setTimeout(() => afterResponse.run(tasks), 0)
      }
    })()
  }
  return Object.assign(middleware, { supervisor: afterResponse.supervisor })
}
