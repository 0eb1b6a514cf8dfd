import {
  backgroundTasks,
  concurrencyLimitHook,
  createErrorLog,
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
import Fastify, { type onRequestHookHandler } from 'fastify'

/** Options of {@link serveWithFastify}. */
export interface FastifyServiceOptions {
  /**
   * Where Fastify's log lines (JSON, one per line) go.
   *
   * @default standard output
   */
  logStream?: { write(line: string): void }
}

/** The largest request body read, in bytes: an order is a few dozen bytes of JSON. */
export const orderBodyLimitBytes = 16 * 1024

/**
 * The catalog's routes on Fastify 5: every route is one line of glue over the CatalogService.
 * Hardened for what production sends: every wait for a limiter is bounded, slow readers of the
 * export are dropped, bodies are bounded and orders must be JSON, and a flood of identical errors
 * logs one stack trace with a count.
 */
export async function serveWithFastify(
  service: CatalogService,
  address: ListenAddress,
  options: FastifyServiceOptions = {},
): Promise<RunningCatalogServer> {
  // Fastify reads up to 1 MiB of any body by default; an order needs far less.
  const app = Fastify({
    logger: { level: 'warn', ...(options.logStream && { stream: options.logStream }) },
    bodyLimit: orderBodyLimitBytes,
  })
  // The service's own 500s: identical errors once per 10 s, then a count.
  const errors = createErrorLog({
    write: (message, error) => app.log.error(error === undefined ? {} : { err: error }, message),
  })
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
  app.setErrorHandler((error, _request, reply) => {
    const { status, body, headers } = httpErrorOf(error)
    if (status === 500) errors.report('request failed', error)
    if (headers !== undefined) reply.headers(headers)
    // A body refused unread: close the connection rather than read the rest only to drop it.
    if (status === 413) reply.header('connection', 'close')
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
  // Search and export have limiters of their own: an export holds its token while its client
  // reads, and must never make search wait. Both waits are bounded, and a search whose expected
  // wait is already past 2 s is refused at once rather than queued to time out.
  const searchLimit = concurrencyLimitHook({
    limiter: service.searchRoutes,
    timeoutMs: 3_000,
    maxExpectedWaitMs: 2_000,
  })
  const exportLimit = concurrencyLimitHook({ limiter: service.exportRoutes, timeoutMs: 2_000 })
  app.get(
    '/search',
    { onRequest: searchLimit },
    offload(service.pool, 'search', (request) =>
      service.searchArguments((request.query as { q?: string }).q),
    ),
  )
  app.post('/orders', { onRequest: jsonBodyOnly }, async (request, reply) => {
    const order = service.placeOrder(request.body)
    request.backgroundTasks.add(service.sendReceipt, order)
    return reply.code(201).send(order)
  })
  app.get<{ Params: { id: string } }>('/orders/:id', async (request) =>
    service.order(request.params.id),
  )
  app.get('/export', { onRequest: exportLimit }, (_request, reply) =>
    streamIterable(reply, service.exportCsv(), {
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': 'attachment; filename="catalog.csv"' },
      // A reader that takes nothing for 10 s is dropped, and its export token with it.
      drainTimeoutMs: 10_000,
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

/**
 * Answers 415 to a body that is not JSON, in `onRequest`, before anything is read: Fastify would
 * parse `text/plain` too, and answers 415 itself only for types it has no parser for.
 */
const jsonBodyOnly: onRequestHookHandler = (request, reply, done) => {
  const mediaType = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase()
  if (mediaType === 'application/json') return done()
  reply.code(415).header('connection', 'close').send({
    error: 'UnsupportedMediaType',
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'send the order as application/json',
  })
}
