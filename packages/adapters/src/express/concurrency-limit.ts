import type { RequestHandler } from 'express'
import { ConcurrencyLimit } from '../internal/admission/concurrency-limit.js'
import { writeServiceUnavailable } from '../internal/admission/service-unavailable.js'
import type { ConcurrencyLimitOptions } from '../types.js'

/**
 * Admits requests through a `CapacityLimiter`: a request holds a token until its response is over;
 * it gets 503 with `Retry-After` when the limiter's queue is full, when it waited `timeoutMs`
 * (default 5 s), or at once when the queue's expected wait is past `maxExpectedWaitMs`; a client
 * that disconnects while waiting leaves the queue without a token ever being taken. Use it
 * app-wide or on one route.
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
    if (admitted === 'refused') return writeServiceUnavailable(response, limit.refusal)
    admitted.then((outcome) => {
      if (outcome === 'admitted') next()
      else if (outcome === 'refused') writeServiceUnavailable(response, limit.refusal)
    }, next)
  }
}
