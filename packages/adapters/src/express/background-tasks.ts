import type { BackgroundTasks } from '@loopwork/background-tasks'
import type { RequestHandler } from 'express'
import { AfterResponseTasks } from '../internal/after-response/after-response-tasks.js'
import type { BackgroundTasksMiddlewareOptions } from '../types.js'
import type { BackgroundTasksMiddleware } from './types.js'

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
