import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
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
} from '@loopwork/adapters/express'
import {
  blockEventLoop,
  type CatalogService,
  debugRoutesEnabled,
  httpErrorOf,
  type ListenAddress,
  type RunningCatalogServer,
} from '@loopwork-example/catalog'
import express, {
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
} from 'express'

/** The largest order body read, in bytes: an order is a few dozen bytes of JSON. */
export const orderBodyLimitBytes = 16 * 1024

/**
 * The catalog's routes on Express 5: every route is one line of glue over the CatalogService.
 * Hardened for what production sends: every wait for a limiter is bounded, slow readers of the
 * export are dropped, order bodies are bounded and must be JSON, and a flood of identical errors
 * logs one stack trace with a count.
 */
export async function serveWithExpress(
  service: CatalogService,
  address: ListenAddress,
): Promise<RunningCatalogServer> {
  const app = express()
  // The service's own 500s: identical errors once per 10 s, then a count.
  const errors = createErrorLog()
  app.use('/status', statusPage({ metrics: service.metrics, title: 'catalog (express)' }))
  app.use(requestMetrics({ metrics: service.metrics }))
  app.use(loadShedding({ guard: service.overloadGuard }))
  app.use(backgroundTasks({ supervisor: service.supervisor }))
  // Search and export have limiters of their own: an export holds its token while its client
  // reads, and must never make search wait. Both waits are bounded, and a search whose expected
  // wait is already past 2 s is refused at once rather than queued to time out.
  const searchLimit = concurrencyLimit({
    limiter: service.searchRoutes,
    timeoutMs: 3_000,
    maxExpectedWaitMs: 2_000,
  })
  const exportLimit = concurrencyLimit({ limiter: service.exportRoutes, timeoutMs: 2_000 })

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
    searchLimit,
    offload(service.pool, 'search', (request) => service.searchArguments(request.query.q)),
  )
  // express.json() skips other content types, leaving request.body undefined: refuse those with
  // 415 before anything is read. It answers 413 past `limit` only once it has read the whole body,
  // however large: orderBodyWithinLimit answers first and closes the connection.
  app.post(
    '/orders',
    jsonBodyOnly,
    orderBodyWithinLimit,
    express.json({ limit: orderBodyLimitBytes }),
    (request, response) => {
      const order = service.placeOrder(request.body)
      request.backgroundTasks.add(service.sendReceipt, order)
      response.status(201).json(order)
    },
  )
  app.get('/orders/:id', (request, response) => {
    response.json(service.order(request.params.id))
  })
  app.get('/export', exportLimit, async (_request, response) => {
    await streamIterable(response, service.exportCsv(), {
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': 'attachment; filename="catalog.csv"' },
      // A reader that takes nothing for 10 s is dropped, and its export token with it.
      drainTimeoutMs: 10_000,
    })
  })
  if (debugRoutesEnabled()) {
    app.get('/debug/block', (request, response) => {
      response.json(blockEventLoop(request.query.ms))
    })
  }
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    const { status, body, headers } = httpErrorOf(error)
    // express.json()'s own 413 for a body orderBodyWithinLimit already refused.
    if (response.headersSent && status === 413) return
    if (response.headersSent) return next(error)
    if (status === 500) errors.report('request failed:', error)
    if (headers !== undefined) response.set(headers)
    // A body refused unread: close the connection rather than read the rest only to drop it.
    if (status === 413) response.set('connection', 'close')
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

/** Answers 415 to a body that is not JSON, before it is read. */
const jsonBodyOnly: RequestHandler = (request, response, next) => {
  if (request.is('application/json')) return next()
  response.status(415).set('connection', 'close').json({
    error: 'UnsupportedMediaType',
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'send the order as application/json',
  })
}

/**
 * Answers 413 and closes the connection as soon as an order body is past `orderBodyLimitBytes`, by
 * its content-length or once that many bytes arrived. express.json() alone reads the rest of a body
 * past its limit before it answers, so a client declaring 10 GB, or streaming a chunked body that
 * never ends, would be read until it stopped.
 */
const orderBodyWithinLimit: RequestHandler = (request, response, next) => {
  if (Number(request.headers['content-length']) > orderBodyLimitBytes) {
    bodyTooLarge(response)
    return
  }
  let received = 0
  const count = (chunk: Buffer) => {
    received += chunk.length
    if (received <= orderBodyLimitBytes) return
    request.off('data', count)
    bodyTooLarge(response)
  }
  request.on('data', count)
  next()
}

function bodyTooLarge(response: Response): void {
  response
    .status(413)
    .set('connection', 'close')
    .json({
      error: 'PayloadTooLarge',
      code: 'PAYLOAD_TOO_LARGE',
      message: `an order body is at most ${orderBodyLimitBytes} bytes`,
    })
}
