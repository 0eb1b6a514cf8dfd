import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import {
  type BackgroundTasksEnv,
  backgroundTasks,
  concurrencyLimit,
  createErrorLog,
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
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The largest order body read, in bytes: an order is a few dozen bytes of JSON. */
export const orderBodyLimitBytes = 16 * 1024

/**
 * The catalog's routes on Hono 4: every route is one line of glue over the CatalogService. The app
 * is a fetch handler, so any server can run it: @hono/node-server on Node (below), `Bun.serve` or
 * `Deno.serve` elsewhere. Hardened for what production sends: every wait for a limiter is bounded,
 * slow readers of the export are dropped, order bodies are bounded and must be JSON (Hono itself
 * reads a body of any size), and a flood of identical errors logs one stack trace with a count.
 */
export function catalogApp(service: CatalogService): Hono<BackgroundTasksEnv> {
  const app = new Hono<BackgroundTasksEnv>()
  // The service's own 500s: identical errors once per 10 s, then a count.
  const errors = createErrorLog()
  app.get('/status/*', statusPage({ metrics: service.metrics, title: 'catalog (hono)' }))
  app.use(loadShedding({ guard: service.overloadGuard }))
  app.use(requestMetrics({ metrics: service.metrics }))
  app.use(backgroundTasks({ supervisor: service.supervisor }))
  app.onError((error, context) => {
    const { status, body, headers } = httpErrorOf(error)
    if (status === 500) errors.report('request failed:', error)
    return context.json(body, status as ContentfulStatusCode, headers)
  })
  // Search and export have limiters of their own: an export holds its token while its client
  // reads, and must never make search wait. Both waits are bounded, and a search whose expected
  // wait is already past 2 s is refused at once rather than queued to time out.
  const searchLimit = concurrencyLimit({
    limiter: service.searchRoutes,
    timeoutMs: 3_000,
    maxExpectedWaitMs: 2_000,
  })
  const exportLimit = concurrencyLimit({ limiter: service.exportRoutes, timeoutMs: 2_000 })

  app.get('/health', (context) => context.json(service.health()))
  app.get('/metrics', metricsHandler(service.metrics))
  app.get('/items/:id', responseCache({ cache: service.responseCache }), async (context) =>
    context.json(await service.item(context.req.param('id'))),
  )
  app.get(
    '/search',
    searchLimit,
    offload(service.pool, 'search', (context) => service.searchArguments(context.req.query('q'))),
  )
  app.post(
    '/orders',
    jsonBodyOnly,
    bodyLimit({ maxSize: orderBodyLimitBytes, onError: bodyTooLarge }),
    async (context) => {
      // Malformed JSON is answered like any other invalid order.
      const order = service.placeOrder(await context.req.json().catch(() => undefined))
      context.get('backgroundTasks').add(service.sendReceipt, order)
      return context.json(order, 201)
    },
  )
  app.get('/orders/:id', (context) => context.json(service.order(context.req.param('id'))))
  app.get('/export', exportLimit, (context) =>
    streamIterable(context, service.exportCsv(), {
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': 'attachment; filename="catalog.csv"' },
      // A reader that takes nothing for 10 s is dropped, and its export token with it.
      drainTimeoutMs: 10_000,
    }),
  )

  if (debugRoutesEnabled()) {
    app.get('/debug/block', (context) => context.json(blockEventLoop(context.req.query('ms'))))
  }
  return app
}

/** Answers 415 to a body that is not JSON, before it is read. */
const jsonBodyOnly: MiddlewareHandler = async (context, next) => {
  const mediaType = context.req.header('content-type')?.split(';', 1)[0]?.trim().toLowerCase()
  if (mediaType === 'application/json') return next()
  // A body refused unread: close the connection rather than read the rest only to drop it.
  return context.json(
    {
      error: 'UnsupportedMediaType',
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'send the order as application/json',
    },
    415,
    { connection: 'close' },
  )
}

/** The answer to a body past `orderBodyLimitBytes` (by its content-length, or once read that far). */
function bodyTooLarge(context: Context): Response {
  return context.json(
    {
      error: 'PayloadTooLarge',
      code: 'PAYLOAD_TOO_LARGE',
      message: `an order body is at most ${orderBodyLimitBytes} bytes`,
    },
    413,
    { connection: 'close' },
  )
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
