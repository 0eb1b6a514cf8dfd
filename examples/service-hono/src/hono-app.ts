import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
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
  statusPage,
  streamIterable,
} from '@loopwork/adapters/hono'
import {
  blockEventLoop,
  type CatalogService,
  debugRoutesEnabled,
  httpErrorOf,
  type ListenAddress,
  type RunningCatalogServer,
} from '@loopwork-example/catalog'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * The catalog's routes on Hono 4: every route is one line of glue over the CatalogService. The app
 * is a fetch handler, so any server can run it: @hono/node-server on Node (below), `Bun.serve` or
 * `Deno.serve` elsewhere.
 */
export function catalogApp(service: CatalogService): Hono<BackgroundTasksEnv> {
  const app = new Hono<BackgroundTasksEnv>()
  app.get('/status/*', statusPage({ metrics: service.metrics, title: 'catalog (hono)' }))
  app.use(loadShedding({ guard: service.overloadGuard }))
  app.use(requestMetrics({ metrics: service.metrics }))
  app.use(backgroundTasks({ supervisor: service.supervisor }))
  app.onError((error, context) => {
    const { status, body } = httpErrorOf(error)
    if (status === 500) console.error(error)
    return context.json(body, status as ContentfulStatusCode)
  })
  const heavyRoute = concurrencyLimit({ limiter: service.heavyRoutes })

  app.get('/health', (context) => context.json(service.health()))
  app.get('/metrics', metricsHandler(service.metrics))
  app.get('/items/:id', responseCache({ cache: service.responseCache }), async (context) =>
    context.json(await service.item(context.req.param('id'))),
  )
  app.get(
    '/search',
    heavyRoute,
    offload(service.pool, 'search', (context) => service.searchArguments(context.req.query('q'))),
  )
  app.post('/orders', async (context) => {
    // A body that is not JSON is answered like any other invalid order.
    const order = service.placeOrder(await context.req.json().catch(() => undefined))
    context.get('backgroundTasks').add(service.sendReceipt, order)
    context.get('backgroundTasks').add(service.queueFulfilment, order)
    return context.json(order, 201)
  })
  app.get('/orders/:id', (context) => context.json(service.order(context.req.param('id'))))
  app.get('/export', heavyRoute, (context) =>
    streamIterable(context, service.exportCsv(), {
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': 'attachment; filename="catalog.csv"' },
    }),
  )

  if (debugRoutesEnabled()) {
    app.get('/debug/block', (context) => context.json(blockEventLoop(context.req.query('ms'))))
  }
  return app
}

/** Serves the catalog's Hono app on Node, through @hono/node-server and a node:http server. */
export async function serveWithHono(
  service: CatalogService,
  address: ListenAddress,
): Promise<RunningCatalogServer> {
  const app = catalogApp(service)
  const server = createServer(getRequestListener(app.fetch))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(address.port, address.host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${address.host}:${port}`,
    close: () => shutdown(server, { timeoutMs: 10_000, resources: service.shutdownResources() }),
  }
}
