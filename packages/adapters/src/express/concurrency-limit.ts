import type { RequestHandler } from 'express'
import { ConcurrencyLimit } from '../internal/admission/concurrency-limit.js'
import { writeServiceUnavailable } from '../internal/admission/service-unavailable.js'
import type { ConcurrencyLimitOptions } from '../types.js'

/**
 * Admits requests through a `CapacityLimiter`: a request holds a token until its response is over;
 * when the limiter's queue is full it gets 503 with `Retry-After`; a client that disconnects while
 * waiting leaves the queue without a token ever being taken. Use it app-wide or on one route.
 *
 * @example
 * const limiter = new CapacityLimiter({ name: 'http', totalTokens: 40, maxWaiting: 200 })
 * app.use(concurrencyLimit({ limiter }))
 * app.get('/report', concurrencyLimit({ limiter: reportLimiter }), handler)
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): RequestHandler {
  const limit = new ConcurrencyLimit(options)
  return (_request, response, next) => {
    const admitted = limit.admitResponse(response)
    if (admitted === 'admitted') return next()
    admitted.then((outcome) => {
      if (outcome === 'admitted') next()
      else if (outcome === 'refused') writeServiceUnavailable(response, limit.refusal)
    }, next)
  }
}
