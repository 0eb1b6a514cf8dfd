import type { FastifyRequest, RouteHandlerMethod } from 'fastify'
import { disconnectSignal } from '../internal/offload/node-offload-answer.js'
import { offloadFactory } from '../internal/offload/offload-factory.js'
import { TASK_FAILED_BODY } from '../internal/offload/offloader.js'
import type { OffloadedHandlerFactory } from '../types.js'

/**
 * Turns a task of a WorkerPool into a route handler, so a CPU-bound endpoint runs in the thread
 * pool and never stalls the event loop. `mapArgs` maps the request to the task's arguments (typed
 * from the task module); the result is sent as JSON, bytes as `application/octet-stream`. A task
 * error becomes a bare 500 (no message, no stack: see `onError`); a saturated pool or limiter
 * becomes 503 with `Retry-After`. An error thrown by `mapArgs` goes to Fastify's error handling,
 * so it can answer 400.
 *
 * @example
 * app.get('/fib/:n', offload(pool, 'fib', (request) => [Number((request.params as { n: string }).n)]))
 * @function
 */
export const offload: OffloadedHandlerFactory<FastifyRequest, RouteHandlerMethod> = offloadFactory(
  (offloader) => async (request, reply) => {
    const args = await offloader.argsFor(request)
    const signal = offloader.abortOnDisconnect ? disconnectSignal(reply.raw) : undefined
    const answer = await offloader.call(args, signal)
    if (answer.kind === 'gone') return reply.hijack()
    if (answer.kind === 'refused') {
      const { status, headers, body } = answer.answer
      return reply.code(status).headers(headers).send(body)
    }
    if (answer.kind === 'failed') {
      return reply.code(500).type('application/json; charset=utf-8').send(TASK_FAILED_BODY)
    }
    return reply.type(answer.contentType).send(answer.body)
  },
)
