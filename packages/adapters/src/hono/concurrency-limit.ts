import type { MiddlewareHandler } from 'hono'
import { ConcurrencyLimit } from '../internal/admission/concurrency-limit.js'
import { clientGoneResponse, nodeResponseOf } from '../internal/hono/node-bindings.js'
import type { ConcurrencyLimitOptions } from '../types.js'

/**
 * Admits requests through a `CapacityLimiter`: a request holds a token until its response is over
 * (on Node: until the Node response closes, so streamed bodies count); it gets 503 with
 * `Retry-After` when the limiter's queue is full, when it waited `timeoutMs` (default 5 s), or at
 * once when the queue's expected wait is past `maxExpectedWaitMs`; a client that disconnects while
 * waiting leaves the queue without a token ever being taken. Use it app-wide or on one route.
 *
 * @example
 * app.use(concurrencyLimit({ limiter: new CapacityLimiter({ totalTokens: 40, maxWaiting: 200 }) }))
 */
export function concurrencyLimit(options: ConcurrencyLimitOptions): MiddlewareHandler {
  const limit = new ConcurrencyLimit(options)
  const { status, headers, body } = limit.refusal
  // Not an async function: an admitted request on Node costs no promise of its own.
  return (context, next) => {
    const outgoing = nodeResponseOf(context)
    if (outgoing !== undefined) {
      const admitted = limit.admitResponse(outgoing)
      if (admitted === 'admitted') return next()
      if (admitted === 'refused') return Promise.resolve(context.body(body, status, headers))
      // Queued: it runs once admitted, or is answered 503, or left alone when its client went away.
      return admitted.then(async (outcome) => {
        if (outcome === 'refused') return context.body(body, status, headers)
        if (outcome === 'client-gone') return clientGoneResponse()
        await next()
      })
    }
    // Off Node only a signal tells that the client left; the token is held until the handler is done.
    return (async () => {
      const admitted = limit.admitSignal(context.req.raw.signal)
      const release = admitted instanceof Promise ? await admitted : admitted
      if (release === 'refused') return context.body(body, status, headers)
      if (release === 'client-gone') return clientGoneResponse()
      try {
        await next()
      } finally {
        release()
      }
    })()
  }
}
