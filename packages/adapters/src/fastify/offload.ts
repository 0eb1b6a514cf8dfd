import type { TaskArgs, TaskModule, TaskName, WorkerPool } from '@loopwork/thread-offload'
import type { FastifyRequest, RouteHandlerMethod } from 'fastify'
import { disconnectSignal } from '../node-offload-answer.js'
import { Offloader, type OffloadOptions, TASK_FAILED_BODY } from '../offload-call.js'

/**
 * Turns a task of a WorkerPool into a route handler, so a CPU-bound endpoint runs in the thread
 * pool and never stalls the event loop (what FastAPI does with `def` endpoints). `args` maps the
 * request to the task's arguments (typed from the task module); the result is sent as JSON, bytes
 * as `application/octet-stream`. A task error becomes a bare 500 (no message, no stack: see
 * `onError`); a saturated pool or limiter becomes 503 with `Retry-After`. An error thrown by
 * `args` goes to Fastify's error handling, so it can answer 400.
 *
 * @example
 * app.get('/fib/:n', offload(pool, 'fib', (request) => [Number((request.params as { n: string }).n)]))
 */
export function offload<M extends TaskModule, K extends TaskName<M>>(
  pool: WorkerPool<M>,
  task: K,
  args: (request: FastifyRequest) => [...TaskArgs<M, K>] | Promise<[...TaskArgs<M, K>]>,
  options?: OffloadOptions,
): RouteHandlerMethod {
  const offloader = new Offloader(pool, task, options)
  return async (request, reply) => {
    const taskArgs = await args(request)
    const signal = offloader.abortOnDisconnect ? disconnectSignal(reply.raw) : undefined
    const answer = await offloader.call(taskArgs, signal)
    if (answer.kind === 'gone') return reply.hijack()
    if (answer.kind === 'refused') {
      const { status, headers, body } = answer.answer
      return reply.code(status).headers(headers).send(body)
    }
    if (answer.kind === 'failed') {
      return reply.code(500).type('application/json; charset=utf-8').send(TASK_FAILED_BODY)
    }
    return reply.type(answer.contentType).send(answer.body)
  }
}
