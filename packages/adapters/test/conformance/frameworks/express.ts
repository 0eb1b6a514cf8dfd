import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import express, { type Request, type Response } from 'express'
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
} from '../../../src/express/index.js'
import type { Framework, RunningServer, TestApp, TestReply, TestRequest } from '../test-app.js'

async function start(spec: TestApp): Promise<RunningServer> {
  const app = express()
  if (spec.metrics !== undefined) {
    app.use(requestMetrics({ metrics: spec.metrics }))
    app.get('/metrics', metricsHandler(spec.metrics))
  }
  if (spec.loadShedding !== undefined) {
    app.use(loadShedding(spec.loadShedding))
    app.get('/health', (_request, response) => {
      response.json({ healthy: true })
    })
  }
  if (spec.backgroundTasks !== undefined) app.use(backgroundTasks(spec.backgroundTasks))
  if (spec.concurrencyLimit !== undefined) app.use(concurrencyLimit(spec.concurrencyLimit))
  if (spec.responseCache !== undefined) app.use(responseCache(spec.responseCache))
  for (const route of spec.routes) {
    const method = route.method === 'HEAD' ? 'head' : route.method === 'POST' ? 'post' : 'get'
    const testRequest = (request: Request, response: Response): TestRequest => ({
      params: { ...request.params } as Record<string, string>,
      query: { ...request.query },
      headers: request.headers,
      backgroundTasks: spec.backgroundTasks === undefined ? undefined : request.backgroundTasks,
      responseFinished: () => response.writableFinished,
    })
    if ('offload' in route) {
      const { pool, task, mapArgs, options } = route.offload
      app[method](
        route.path,
        offload(pool, task, (request) => mapArgs(testRequest(request, request.res!)), options),
      )
      continue
    }
    app[method](route.path, async (request, response) => {
      await send(response, await route.handle(testRequest(request, response)))
    })
  }
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    shutdown: () => shutdown(server, spec.shutdown),
    close: async () => {
      server.closeAllConnections()
      if (server.listening) await new Promise((resolve) => server.close(resolve))
    },
  }
}

async function send(response: Response, reply: TestReply): Promise<void> {
  if ('stream' in reply) {
    await streamIterable(response, reply.stream, reply.options)
    return
  }
  response.status(reply.status ?? 200)
  if (reply.headers !== undefined) response.set(reply.headers)
  if (reply.json !== undefined) response.json(reply.json)
  else response.send(reply.text ?? '')
}

export const expressFramework: Framework = { name: 'express', start }
