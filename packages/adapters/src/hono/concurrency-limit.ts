import type { Context, MiddlewareHandler, Next } from 'hono'
import { type Admission, admitResponse, admitSignal } from '../concurrency-admission.js'
import {
  type ConcurrencyLimitOptions,
  type ResolvedConcurrencyLimit,
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
  const limited = resolveConcurrencyLimit(options)
  const { limiter, admission } = limited
  // Not an async function: an admitted request on Node costs no promise of its own.
  return (context, next) => {
    const outgoing = nodeResponseOf(context)
    if (outgoing === undefined) return admitOffNode(context, next, limited)
    const admitted = admitResponse(limiter, outgoing, admission)
    if (admitted === 'admitted') return next()
    return afterWaiting(admitted, context, next, limited)
  }
}

/** A request that had to queue on Node: it runs once admitted, or is answered 503 / left alone. */
async function afterWaiting(
  waiting: Promise<Admission>,
  context: Context,
  next: Next,
  { refusal }: ResolvedConcurrencyLimit,
): Promise<Response | undefined> {
  const outcome = await waiting
  if (outcome === 'admitted') {
    await next()
    return undefined
  }
  return outcome === 'refused'
    ? context.body(refusal.body, refusal.status, refusal.headers)
    : clientGoneResponse()
}

/** Off Node only a signal tells that the client left, and the token is held until the handler returned. */
async function admitOffNode(
  context: Context,
  next: Next,
  { limiter, admission, refusal }: ResolvedConcurrencyLimit,
): Promise<Response | undefined> {
  const admitted = admitSignal(limiter, context.req.raw.signal, admission)
  const lease = admitted instanceof Promise ? await admitted : admitted
  if (lease === 'refused') return context.body(refusal.body, refusal.status, refusal.headers)
  if (lease === 'client-gone') return clientGoneResponse()
  try {
    await next()
  } finally {
    lease.release()
  }
  return undefined
}
