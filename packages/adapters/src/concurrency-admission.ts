import type { ServerResponse } from 'node:http'
import {
  type CapacityLimiter,
  type Lease,
  LimiterQueueFullError,
  LimiterTimeoutError,
} from '@loopwork/limiter'
import { whenResponseClosed } from './response-completion.js'

/** How waiting for a token ended: admitted, shed (503), or abandoned because the client left. */
export type Admission = 'admitted' | 'refused' | 'client-gone'

/** Options of one wait for a token, shared by the three adapters. */
export interface AdmissionOptions {
  /** Longest wait for a token before the request is refused with 503, in milliseconds. */
  readonly timeoutMs?: number | undefined
}

/**
 * Admits one request of a Node server through `limiter` and holds its token until the response is
 * over (sent or cut off). Returns `'admitted'` synchronously when a token is free, with no promise and
 * no `AbortController`; otherwise the request queues and its wait is aborted the moment the client
 * goes away, so it leaves the queue without a token ever being taken for it.
 */
export function admitResponse(
  limiter: CapacityLimiter,
  response: ServerResponse,
  options: AdmissionOptions | undefined,
): 'admitted' | Promise<Admission> {
  const lease = limiter.tryAcquire()
  if (lease !== undefined) {
    holdUntilClosed(response, lease)
    return 'admitted'
  }
  const controller = new AbortController()
  const abort = () => controller.abort()
  response.once('close', abort)
  return limiter.acquire({ signal: controller.signal, timeoutMs: options?.timeoutMs }).then(
    (lease) => {
      response.off('close', abort)
      holdUntilClosed(response, lease)
      return 'admitted'
    },
    (error: unknown) => {
      response.off('close', abort)
      return refusalOf(error, controller.signal)
    },
  )
}

/**
 * Admits one request through `limiter` where only an `AbortSignal` tells that the client left
 * (Hono off Node). The caller releases the lease when the request is done.
 */
export function admitSignal(
  limiter: CapacityLimiter,
  signal: AbortSignal | undefined,
  options: AdmissionOptions | undefined,
): Lease | Promise<Lease | Exclude<Admission, 'admitted'>> {
  const lease = limiter.tryAcquire()
  if (lease !== undefined) return lease
  return limiter
    .acquire({ signal, timeoutMs: options?.timeoutMs })
    .catch((error: unknown) => refusalOf(error, signal))
}

function holdUntilClosed(response: ServerResponse, lease: Lease): void {
  whenResponseClosed(response, () => lease.release())
}

/** A full queue or a wait past `timeoutMs` is refused; an abort is the client leaving; anything else is a bug to pass on. */
function refusalOf(error: unknown, signal: AbortSignal | undefined): 'refused' | 'client-gone' {
  if (error instanceof LimiterQueueFullError || error instanceof LimiterTimeoutError) {
    return 'refused'
  }
  if (signal?.aborted) return 'client-gone'
  throw error
}
