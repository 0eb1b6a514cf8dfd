import type { IncomingMessage } from 'node:http'
import type { Handler } from 'hono'
import { runningRouteOf } from '../internal/hono/matched-route.js'
import { queryOf, statusPageOf } from '../internal/status-page/status-page-of.js'
import type { HonoStatusPageOptions } from './types.js'

/** The bindings of the runtimes whose client address the default loopback check can read. */
interface AddressBindings {
  /** @hono/node-server */
  readonly incoming?: IncomingMessage
  /** Bun's server: the client address, and the idle timeout a stream must lift. */
  readonly requestIP?: (request: Request) => { address?: string } | null
  readonly timeout?: (request: Request, seconds: number) => void
}

/**
 * The live status page of `metrics` (event loop, blocked-loop reports, requests per route, every
 * tracked primitive, the process) as a handler for a wildcard route: the page, its event stream
 * (`./events`) and its JSON snapshot (`./snapshot`), on any runtime. Only loopback clients get in
 * unless `authorize(context)` lets others. Register it before `requestMetrics()` and
 * `loadShedding()`, so its own requests are neither measured nor shed.
 *
 * @example
 * app.get('/status/*', statusPage({ metrics }))
 * app.use(requestMetrics({ metrics }))
 */
export function statusPage(options: HonoStatusPageOptions): Handler {
  const page = statusPageOf('statusPage()', options)
  let excluded: string | undefined
  return async (context) => {
    const route = runningRouteOf(context)
    if (excluded !== route) {
      page.excludeRoutes([route])
      excluded = route
    }
    const mount = route.endsWith('/*') ? route.slice(0, -2) : route
    const path = context.req.path.slice(mount.length)
    const bindings = context.env as AddressBindings | undefined
    const request = context.req.raw
    let remoteAddress = bindings?.incoming?.socket?.remoteAddress
    if (remoteAddress === undefined && typeof bindings?.requestIP === 'function') {
      remoteAddress = bindings.requestIP(request)?.address
    }
    // Bun closes a response idle for 10 s by default; the stream has heartbeats, but no limit is safer.
    if (path === '/events' && typeof bindings?.timeout === 'function') bindings.timeout(request, 0)
    const response = await page.handleFetch(request, {
      path: path + queryOf(request.url),
      subject: context,
      remoteAddress,
      server: (bindings?.incoming?.socket as { server?: { listening: boolean } } | undefined)
        ?.server,
    })
    // @hono/node-server before 2.1.2 writes Content-Length into the header object a Response was
    // made with, and the page's header objects are shared and frozen: every answer failed with a
    // 500. Read once, `headers` becomes a Headers of this response's own, which it copies instead.
    void response.headers
    return response
  }
}
