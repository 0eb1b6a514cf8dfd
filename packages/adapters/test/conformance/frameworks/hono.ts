import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type HttpBindings, serve } from '@hono/node-server'
import { type Context, Hono } from 'hono'
import {
  type BackgroundTasksEnv,
  backgroundTasks,
  concurrencyLimit,
  loadShedding,
  metricsHandler,
  offload,
  requestMetrics,
  responseCache,
  shutdown,
  streamIterable,
} from '../../../src/hono/index.js'
import type { Framework, RunningServer, TestApp, TestReply, TestRequest } from '../test-app.js'

type Env = BackgroundTasksEnv & { Bindings: HttpBindings }

async function start(spec: TestApp): Promise<RunningServer> {
  const app = new Hono<Env>()
  if (spec.metrics !== undefined) {
    app.use(requestMetrics({ metrics: spec.metrics }))
    app.get('/metrics', metricsHandler(spec.metrics))
  }
  if (spec.loadShedding !== undefined) {
    app.use(loadShedding(spec.loadShedding))
    app.get('/health', (context) => context.json({ healthy: true }))
  }
  if (spec.backgroundTasks !== undefined) app.use(backgroundTasks(spec.backgroundTasks))
  if (spec.concurrencyLimit !== undefined) app.use(concurrencyLimit(spec.concurrencyLimit))
  if (spec.responseCache !== undefined) app.use(responseCache(spec.responseCache))
  for (const route of spec.routes) {
    const method = route.method === 'HEAD' ? 'GET' : route.method
    const testRequest = (context: Context<Env>): TestRequest => ({
      params: context.req.param() as Record<string, string>,
      query: context.req.query(),
      headers: context.req.header(),
      backgroundTasks:
        spec.backgroundTasks === undefined ? undefined : context.get('backgroundTasks'),
      responseFinished: () => context.env.outgoing.writableFinished,
    })
    if ('offload' in route) {
      const { pool, task, mapArgs, options } = route.offload
      app.on(
        method,
        route.path,
        offload(pool, task, (context) => mapArgs(testRequest(context as Context<Env>)), options),
      )
      continue
    }
    app.on(method, route.path, async (context) =>
      send(context, await route.handle(testRequest(context))),
    )
  }
  const server = await new Promise<Server>((resolve) => {
    const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(listening as Server),
    )
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    shutdown: () => shutdown(server, spec.shutdown),
    close: async () => {
      server.closeAllConnections()
      if (server.listening) await new Promise((resolve) => server.close(resolve))
    },
  }
}

async function send(context: Context<Env>, reply: TestReply): Promise<Response> {
  if ('stream' in reply) return streamIterable(context, reply.stream, reply.options)
  const status = (reply.status ?? 200) as 200
  if (reply.json !== undefined) return context.json(reply.json, status, reply.headers)
  return context.text(reply.text ?? '', status, reply.headers)
}

export const honoFramework: Framework = { name: 'hono', start }
