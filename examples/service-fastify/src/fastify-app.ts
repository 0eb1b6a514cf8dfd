import {
  backgroundTasks,
  concurrencyLimitHook,
  loadShedding,
  metricsHandler,
  offload,
  requestMetrics,
  responseCache,
  type ShutdownReport,
  shutdown,
  statusPage,
  streamIterable,
} from '@loopwork/adapters/fastify'
import {
  blockEventLoop,
  type CatalogService,
  debugRoutesEnabled,
  httpErrorOf,
  type ListenAddress,
  type RunningCatalogServer,
} from '@loopwork-example/catalog'
import Fastify from 'fastify'

/** The catalog's routes on Fastify 5: every route is one line of glue over the CatalogService. */
export async function serveWithFastify(
  service: CatalogService,
  address: ListenAddress,
): Promise<RunningCatalogServer> {
  const app = Fastify({ logger: { level: 'warn' } })
  let shutdownReport: ShutdownReport | undefined
  await app.register(requestMetrics, { metrics: service.metrics })
  await app.register(loadShedding, { guard: service.overloadGuard })
  await app.register(backgroundTasks, { supervisor: service.supervisor })
  await app.register(shutdown, {
    timeoutMs: 10_000,
    resources: service.shutdownResources(),
    onReport: (report) => {
      shutdownReport = report
    },
  })
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = httpErrorOf(error)
    if (status === 500) request.log.error(error)
    return reply.code(status).send(body)
  })

  await app.register(statusPage, {
    metrics: service.metrics,
    prefix: '/status',
    title: 'catalog (fastify)',
  })
  app.get('/health', async () => service.health())
  app.get('/metrics', metricsHandler(service.metrics))
  // The response cache applies to the context it is registered in: only the item route.
  await app.register(async (cachedRoutes) => {
    await cachedRoutes.register(responseCache, { cache: service.responseCache })
    cachedRoutes.get<{ Params: { id: string } }>('/items/:id', (request) =>
      service.item(request.params.id),
    )
  })
  const heavyRoute = concurrencyLimitHook({ limiter: service.heavyRoutes })
  app.get(
    '/search',
    { onRequest: heavyRoute },
    offload(service.pool, 'search', (request) =>
      service.searchArguments((request.query as { q?: string }).q),
    ),
  )
  app.post('/orders', async (request, reply) => {
    const order = service.placeOrder(request.body)
    request.backgroundTasks.add(service.sendReceipt, order)
    request.backgroundTasks.add(service.queueFulfilment, order)
    return reply.code(201).send(order)
  })
  app.get<{ Params: { id: string } }>('/orders/:id', async (request) =>
    service.order(request.params.id),
  )
  app.get('/export', { onRequest: heavyRoute }, (_request, reply) =>
    streamIterable(reply, service.exportCsv(), {
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': 'attachment; filename="catalog.csv"' },
    }),
  )

  if (debugRoutesEnabled()) {
    app.get('/debug/block', async (request) =>
      blockEventLoop((request.query as { ms?: string }).ms),
    )
  }

  await app.listen({ host: address.host, port: address.port })
  const { port } = app.server.address() as { port: number }
  return {
    url: `http://${address.host}:${port}`,
    close: async () => {
      await app.close()
      return shutdownReport
    },
  }
}
