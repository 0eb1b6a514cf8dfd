import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import {
  backgroundTasks,
  concurrencyLimit,
  loadShedding,
  metricsHandler,
  offload,
  requestMetrics,
  responseCache,
  shutdown,
  streamIterable,
} from '../../../src/fastify/index.js'
import type { ShutdownReport } from '../../../src/index.js'
import type { Framework, RunningServer, TestApp, TestReply, TestRequest } from '../test-app.js'

async function start(spec: TestApp): Promise<RunningServer> {
  const app = Fastify()
  let report: ShutdownReport | undefined
  await app.register(shutdown, {
    ...spec.shutdown,
    onReport: (finished) => {
      report = finished
    },
  })
  if (spec.metrics !== undefined) {
    await app.register(requestMetrics, { metrics: spec.metrics })
    app.get('/metrics', metricsHandler(spec.metrics))
  }
  if (spec.loadShedding !== undefined) {
    await app.register(loadShedding, spec.loadShedding)
    app.get('/health', async () => ({ healthy: true }))
  }
  if (spec.backgroundTasks !== undefined) await app.register(backgroundTasks, spec.backgroundTasks)
  if (spec.concurrencyLimit !== undefined)
    await app.register(concurrencyLimit, spec.concurrencyLimit)
  if (spec.responseCache !== undefined) await app.register(responseCache, spec.responseCache)
  for (const route of spec.routes) {
    const testRequest = (request: FastifyRequest, reply: FastifyReply): TestRequest => ({
      params: { ...(request.params as Record<string, string>) },
      query: { ...(request.query as Record<string, unknown>) },
      headers: request.headers,
      backgroundTasks: spec.backgroundTasks === undefined ? undefined : request.backgroundTasks,
      responseFinished: () => reply.raw.writableFinished,
    })
    if ('offload' in route) {
      const { pool, task, mapArgs, options } = route.offload
      app.route({
        method: route.method,
        url: route.path,
        handler: offload(
          pool,
          task,
          (request) => mapArgs(testRequest(request, undefined!)),
          options,
        ),
      })
      continue
    }
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) =>
        send(reply, await route.handle(testRequest(request, reply))),
    })
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    shutdown: async () => {
      await app.close()
      return report!
    },
    close: async () => {
      app.server.closeAllConnections()
      await app.close()
    },
  }
}

async function send(reply: FastifyReply, answer: TestReply): Promise<FastifyReply | undefined> {
  if ('stream' in answer) {
    await streamIterable(reply, answer.stream, answer.options)
    return undefined
  }
  reply.code(answer.status ?? 200)
  if (answer.headers !== undefined) reply.headers(answer.headers)
  return reply.send(answer.json !== undefined ? answer.json : (answer.text ?? ''))
}

export const fastifyFramework: Framework = { name: 'fastify', start }
