import type { Context, Handler } from 'hono'
import { clientGoneResponse } from '../internal/hono/node-bindings.js'
import { offloadFactory } from '../internal/offload/offload-factory.js'
import { TASK_FAILED_BODY } from '../internal/offload/offloader.js'
import type { OffloadedHandlerFactory } from '../types.js'

/**
 * Turns a task of a WorkerPool into a route handler, so a CPU-bound endpoint runs in the thread
 * pool and never stalls the event loop. `mapArgs` maps the request to the task's arguments (typed
 * from the task module); the result is sent as JSON, bytes as `application/octet-stream`. A task
 * error becomes a bare 500 (no message, no stack: see `onError`); a saturated pool or limiter
 * becomes 503 with `Retry-After`. An error thrown by `mapArgs` goes to Hono's error handling, so it
 * can answer 400.
 *
 * @example
 * app.get('/fib/:n', offload(pool, 'fib', (c) => [Number(c.req.param('n'))]))
 * @function
 */
export const offload: OffloadedHandlerFactory<Context, Handler> = offloadFactory(
  (offloader) => async (context) => {
    const args = await offloader.argsFor(context)
    const signal = offloader.abortOnDisconnect ? context.req.raw.signal : undefined
    const answer = await offloader.call(args, signal)
    if (answer.kind === 'gone') return clientGoneResponse()
    if (answer.kind === 'refused') {
      const { status, headers, body } = answer.answer
      return context.body(body, status, headers)
    }
    if (answer.kind === 'failed') {
      return context.body(TASK_FAILED_BODY, 500, {
        'content-type': 'application/json; charset=utf-8',
      })
    }
    return context.body(answer.body as string | Uint8Array<ArrayBuffer>, 200, {
      'content-type': answer.contentType,
    })
  },
)
