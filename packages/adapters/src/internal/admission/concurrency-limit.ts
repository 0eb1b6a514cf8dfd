import type { ServerResponse } from 'node:http'
import { checkOptions, durationOption, isLoopworkError } from '@loopwork/internal'
import type { CapacityLimiter, Lease } from '@loopwork/limiter'
import type { ConcurrencyLimitOptions, ServiceUnavailable } from '../../types.js'
import { methodsOption, retryAfterOption } from '../option-checks.js'
import { whenResponseClosed } from '../response-close.js'
import { serviceUnavailable } from './service-unavailable.js'

/** How waiting for a token ended: admitted, shed (503), or abandoned because the client left. */
export type Admission = 'admitted' | 'refused' | 'client-gone'

const limiterOption = methodsOption<CapacityLimiter>(['tryAcquire', 'acquire'])

const SCHEMA = {
  limiter: limiterOption,
  retryAfterSeconds: retryAfterOption,
  timeoutMs: durationOption({ infinity: true }),
}

/**
 * A concurrency limit with its options checked once, at setup: admits the requests of one
 * middleware through the limiter and holds the 503 it answers with.
 */
export class ConcurrencyLimit {
  readonly #limiter: CapacityLimiter
  /** The options of a wait, shared by every waiting request (no allocation per request). */
  readonly #waitOptions: { signal: AbortSignal | undefined; timeoutMs: number | undefined }
  readonly #timeoutMs: number | undefined
  /** The 503 sent when the limiter's queue is full or a wait outlived `timeoutMs`. */
  readonly refusal: ServiceUnavailable

  constructor(options: ConcurrencyLimitOptions) {
    checkOptions('concurrencyLimit() options', options, SCHEMA)
    this.#limiter = limiterOption('limiter', options?.limiter)
    const timeoutMs = options.timeoutMs
    this.#timeoutMs = timeoutMs === Number.POSITIVE_INFINITY ? undefined : timeoutMs
    this.#waitOptions = { signal: undefined, timeoutMs: this.#timeoutMs }
    this.refusal = serviceUnavailable('concurrency-limit', options.retryAfterSeconds)
  }

  /**
   * Admits one request of a Node server and holds its token until the response is over (sent or
   * cut off). Returns `'admitted'` synchronously when a token is free, with no promise and no
   * `AbortController`; otherwise the request queues and its wait is aborted the moment the client
   * goes away, so it leaves the queue without a token ever being taken for it.
   */
  admitResponse(response: ServerResponse): 'admitted' | Promise<Admission> {
    const lease = this.#limiter.tryAcquire()
    if (lease !== undefined) {
      holdUntilClosed(response, lease)
      return 'admitted'
    }
    const controller = new AbortController()
    const abort = () => controller.abort()
    response.once('close', abort)
    return this.#limiter.acquire({ signal: controller.signal, timeoutMs: this.#timeoutMs }).then(
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
   * Admits one request where only an `AbortSignal` tells that the client left (Hono off Node).
   * The caller releases the lease when the request is done.
   */
  admitSignal(
    signal: AbortSignal | undefined,
  ): Lease | Promise<Lease | Exclude<Admission, 'admitted'>> {
    const lease = this.#limiter.tryAcquire()
    if (lease !== undefined) return lease
    const options =
      signal === undefined ? this.#waitOptions : { signal, timeoutMs: this.#timeoutMs }
    return this.#limiter.acquire(options).catch((error: unknown) => refusalOf(error, signal))
  }
}

function holdUntilClosed(response: ServerResponse, lease: Lease): void {
  whenResponseClosed(response, () => lease.release())
}

/**
 * A full queue or a wait past `timeoutMs` is refused; an abort is the client leaving; anything else
 * is a bug to pass on. Recognised by code, never by class: a limiter from a second installed copy
 * of @loopwork/limiter must still get its requests a 503.
 */
function refusalOf(error: unknown, signal: AbortSignal | undefined): 'refused' | 'client-gone' {
  if (isLoopworkError(error, 'LOOPWORK_QUEUE_FULL') || isLoopworkError(error, 'LOOPWORK_TIMEOUT')) {
    return 'refused'
  }
  if (signal?.aborted) return 'client-gone'
  throw error
}
