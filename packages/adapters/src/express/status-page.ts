import type { RequestHandler } from 'express'
import { statusPageOf } from '../internal/status-page/status-page-of.js'
import type { ExpressStatusPageOptions } from './types.js'

/**
 * The live status page of `metrics` (event loop, blocked-loop reports, requests per route, every
 * tracked primitive, the process), as middleware to mount on a path: the page, its event stream
 * (`./events`) and its JSON snapshot (`./snapshot`). Only loopback clients get in unless
 * `authorize(request)` lets others; `metrics.close()` ends its streams. Mount it before
 * `requestMetrics()` and `loadShedding()`, so its own requests are neither measured nor shed.
 *
 * @example
 * app.use('/status', statusPage({ metrics }))
 * app.use(requestMetrics({ metrics }))
 */
export function statusPage(options: ExpressStatusPageOptions): RequestHandler {
  const page = statusPageOf('statusPage()', options)
  return (request, response, next) => {
    // Below app.use('/status'), request.url is the rest of the path with its query.
    page.handleNode(request, response, { path: request.url, subject: request }).catch(next)
  }
}
