import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
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
} from '@loopwork/adapters/express'
import {
  blockEventLoop,
  type CatalogService,
  debugRoutesEnabled,
  httpErrorOf,
  type ListenAddress,
  type RunningCatalogServer,
} from '@loopwork-example/catalog'
import express, { type ErrorRequestHandler, type Request } from 'express'

/** The catalog's routes on Express 5: every route is one line of glue over the CatalogService. */
export async function serveWithExpress(
  service: CatalogService,
  address: ListenAddress,
): Promise<RunningCatalogServer> {
  const app = express()
  app.use('/status', statusPage({ metrics: service.metrics, title: 'catalog (express)' }))
  app.use(requestMetrics({ metrics: service.metrics }))
  app.use(loadShedding({ guard: service.overloadGuard }))
  app.use(backgroundTasks({ supervisor: service.supervisor }))
  app.use(express.json({ limit: '16kb' }))
  const heavyRoute = concurrencyLimit({ limiter: service.heavyRoutes })

  app.get('/health', (_request, response) => {
    response.json(service.health())
  })
  app.get('/metrics', metricsHandler(service.metrics))
  const itemCache = responseCache({ cache: service.responseCache })
  app.get('/items/:id', itemCache, async (request: Request<{ id: string }>, response) => {
    response.json(await service.item(request.params.id))
  })
  app.get(
    '/search',
    heavyRoute,
    offload(service.pool, 'search', (request) => service.searchArguments(request.query.q)),
  )
  app.post('/orders', (request, response) => {
    const order = service.placeOrder(request.body)
    request.backgroundTasks.add(service.sendReceipt, order)
    request.backgroundTasks.add(service.queueFulfilment, order)
    response.status(201).json(order)
  })
  app.get('/orders/:id', (request, response) => {
    response.json(service.order(request.params.id))
  })
  app.get('/export', heavyRoute, async (_request, response) => {
    await streamIterable(response, service.exportCsv(), {
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': 'attachment; filename="catalog.csv"' },
    })
  })
  if (debugRoutesEnabled()) {
    app.get('/debug/block', (request, response) => {
      response.json(blockEventLoop(request.query.ms))
    })
  }
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    if (response.headersSent) return next(error)
    const { status, body } = httpErrorOf(error)
    if (status === 500) console.error(error)
    response.status(status).json(body)
  }
  app.use(onError)

  const server = createServer(app)
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
