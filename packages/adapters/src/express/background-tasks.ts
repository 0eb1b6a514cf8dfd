import type { BackgroundTasks, TaskSupervisor } from '@loopwork/background-tasks'
import type { RequestHandler } from 'express'
import {
  AfterResponseTasks,
  type BackgroundTasksMiddlewareOptions,
} from '../after-response-tasks.js'

declare global {
  namespace Express {
    interface Request {
      /**
       * Work to run once this response has been sent (also when the client disconnected), added
       * by the `backgroundTasks()` middleware of `@loopwork/adapters/express`.
       */
      backgroundTasks: BackgroundTasks
    }
  }
}

/** The middleware, with the supervisor its tasks run under (give it to `shutdown()`). */
export type BackgroundTasksMiddleware = RequestHandler & {
  readonly supervisor: TaskSupervisor
}

/**
 * Gives every request a `request.backgroundTasks` whose tasks run after the response has been
 * fully sent (`close` after `finish`), and still run, errors reported, when the client disconnected.
 *
 * @example
 * const tasks = backgroundTasks()
 * app.use(tasks)
 * app.post('/signup', (request, response) => {
 *   request.backgroundTasks.add(sendWelcomeEmail, request.body.email)
 *   response.status(201).json({ ok: true })
 * })
 * // on shutdown: await shutdown(server, { resources: [tasks.supervisor] })
 */
export function backgroundTasks(
  options?: BackgroundTasksMiddlewareOptions,
): BackgroundTasksMiddleware {
  const afterResponse = new AfterResponseTasks(options)
  const middleware: RequestHandler = (request, response, next) => {
    const tasks = afterResponse.create()
    request.backgroundTasks = tasks
    afterResponse.runAfter(response, tasks)
    next()
  }
  return Object.assign(middleware, { supervisor: afterResponse.supervisor })
}
