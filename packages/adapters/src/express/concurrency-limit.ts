import type { RequestHandler } from 'express'
import { admitResponse } from '../concurrency-admission.js'
import {
  type ConcurrencyLimitOptions,
  resolveConcurrencyLimit,
} from '../concurrency-limit-options.js'
import { writeServiceUnavailable } from '../service-unavailable.js'

/**
 * Admits requests through a `CapacityLimiter`: a request holds a token until its response is over;
 * when the limiter's queue is full it gets 503 with `Retry-After`; a client that disconnects while
 * waiting leaves the queue without a token ever being taken. Use it app-wide or on one route.
 *
 * @example
 * const limiter = new CapacityLimiter({ totalTokens: 40, maxWaiting: 200 })
 * app.use(concurrencyLimit({ limiter }))
 * app.get('/report', concurrencyLimit({ limiter: reportLimiter }), handler)
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): RequestHandler {
  const { limiter, admission, refusal } = resolveConcurrencyLimit(options)
  return (_request, response, next) => {
    const admitted = admitResponse(limiter, response, admission)
    if (admitted === 'admitted') return next()
    admitted.then((outcome) => {
      if (outcome === 'admitted') next()
      else if (outcome === 'refused') writeServiceUnavailable(response, refusal)
    }, next)
  }
}
