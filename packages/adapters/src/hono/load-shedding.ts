import type { Context, MiddlewareHandler } from 'hono'
import { LoadShedder } from '../internal/admission/load-shedder.js'
import type { LoadSheddingOptions } from '../types.js'

/**
 * While the overload guard reports overload, answers 503 with `Retry-After` before any handler
 * runs; `/metrics` and `/health` (or your `exempt` paths) stay served. Register it first.
 *
 * @example
 * app.use(loadShedding({ guard: createOverloadGuard({ maxEventLoopDelayMs: 200 }) }))
 */
export function loadShedding(options: LoadSheddingOptions): MiddlewareHandler {
  const shedder = new LoadShedder(options)
  return async (context, next) => {
    const refusal = shedder.refusalFor(context, pathOfContext)
    if (refusal === undefined) return next()
    return context.body(refusal.body, refusal.status, refusal.headers)
  }
}

function pathOfContext(context: Context): string {
  return context.req.path
}
