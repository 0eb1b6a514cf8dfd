import type { Request, RequestHandler } from 'express'
import { disconnectSignal, writeOffloadAnswer } from '../internal/offload/node-offload-answer.js'
import { offloadFactory } from '../internal/offload/offload-factory.js'
import type { OffloadedHandlerFactory } from '../types.js'

/**
 * Turns a task of a WorkerPool into a route handler, so a CPU-bound endpoint runs in the thread
 * pool and never stalls the event loop. `mapArgs` maps the request to the task's arguments (typed
 * from the task module); the result is sent as JSON, bytes as `application/octet-stream`. A task
 * error becomes a bare 500 (no message, no stack: see `onError`); a saturated pool or limiter
 * becomes 503 with `Retry-After`. An error thrown by `mapArgs` goes to Express's error handling,
 * so it can answer 400.
 *
 * @example
 * const pool = new WorkerPool<typeof import('./tasks.js')>({ module: new URL('./tasks.js', import.meta.url) })
 * app.get('/fib/:n', offload(pool, 'fib', (request) => [Number(request.params.n)]))
 * @function
 */
export const offload: OffloadedHandlerFactory<Request, RequestHandler> = offloadFactory(
  (offloader) => async (request, response) => {
    const args = await offloader.argsFor(request)
    const signal = offloader.abortOnDisconnect ? disconnectSignal(response) : undefined
    writeOffloadAnswer(response, await offloader.call(args, signal))
  },
)
