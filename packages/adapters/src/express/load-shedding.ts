import type { Request, RequestHandler } from 'express'
import { LoadShedder } from '../internal/admission/load-shedder.js'
import { writeServiceUnavailable } from '../internal/admission/service-unavailable.js'
import type { LoadSheddingOptions } from '../types.js'

/**
 * While the overload guard reports overload, answers 503 with `Retry-After` before any handler
 * runs; `/metrics` and `/health` (or your `exempt` paths) stay served. Register it first.
 *
 * @example
 * const guard = createOverloadGuard({ maxEventLoopDelayMs: 200, maxHeapUsedBytes: 1.5e9 })
 * app.use(loadShedding({ guard }))
 */
export function loadShedding(options: LoadSheddingOptions): RequestHandler {
  const shedder = new LoadShedder(options)
  return (request, response, next) => {
    const refusal = shedder.refusalFor(request, pathOfRequest)
    if (refusal === undefined) return next()
    writeServiceUnavailable(response, refusal)
  }
}

function pathOfRequest(request: Request): string {
  return request.path
}
