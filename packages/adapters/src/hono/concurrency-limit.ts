import type { MiddlewareHandler } from 'hono'
import { admitResponse, admitSignal } from '../concurrency-admission.js'
import {
  type ConcurrencyLimitOptions,
  resolveConcurrencyLimit,
} from '../concurrency-limit-options.js'
import { clientGoneResponse, nodeResponseOf } from './node-bindings.js'

/**
 * Admits requests through a `CapacityLimiter`: a request holds a token until its response is over
 * (on Node: until the Node response closes, so streamed bodies count), when the limiter's queue is
 * full it gets 503 with `Retry-After`, and a client that disconnects while waiting leaves the queue
 * without a token ever being taken. Use it app-wide or on one route.
 *
 * @example
 * app.use(concurrencyLimit({ limiter: new CapacityLimiter({ totalTokens: 40, maxWaiting: 200 }) }))
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): MiddlewareHandler {
  const { limiter, admission, refusal } = resolveConcurrencyLimit(options)
  return async (context, next) => {
    const outgoing = nodeResponseOf(context)
    if (outgoing !== undefined) {
      const admitted = admitResponse(limiter, outgoing, admission)
      const outcome = admitted === 'admitted' ? admitted : await admitted
      if (outcome === 'admitted') return next()
      return outcome === 'refused'
        ? context.body(refusal.body, refusal.status, refusal.headers)
        : clientGoneResponse()
    }
    const admitted = admitSignal(limiter, context.req.raw.signal, admission)
    const lease = admitted instanceof Promise ? await admitted : admitted
    if (lease === 'refused') return context.body(refusal.body, refusal.status, refusal.headers)
    if (lease === 'client-gone') return clientGoneResponse()
    try {
      await next()
    } finally {
      lease.release()
    }
  }
}
