import type { ServerResponse } from 'node:http'
import { isLoopworkError } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import {
  type AdmissionLease,
  type AdmissionLimiter,
  type ConcurrencyLimitOptions,
  DEFAULT_WAIT_TIMEOUT_MS,
  type ServiceUnavailable,
} from '../../types.js'
import { methodsOption, retryAfterOption } from '../option-checks.js'
import { whenResponseClosed } from '../response-close.js'
import { type ServiceTime, serviceTimeOf } from './service-time.js'
import { serviceUnavailable } from './service-unavailable.js'

/** How waiting for a token ended: admitted, shed (503), or abandoned because the client left. */
export type Admission = 'admitted' | 'refused' | 'client-gone'

/** Gives back the token of a request admitted by {@link ConcurrencyLimit.admitSignal}. */
export type Release = () => void

const limiterOption = methodsOption<AdmissionLimiter>(['tryAcquire', 'acquire'])

const SCHEMA = {
  limiter: limiterOption,
  retryAfterSeconds: retryAfterOption,
  timeoutMs: option.duration({ infinity: true }),
  maxExpectedWaitMs: option.duration({ infinity: true }),
}

/**
 * A concurrency limit with its options checked once, at setup: admits the requests of one
 * middleware through the limiter and holds the 503 it answers with. Every wait is bounded
 * (`timeoutMs`), and a request whose expected wait is already past `maxExpectedWaitMs` is refused
 * before it queues.
 */
export class ConcurrencyLimit {
  readonly #limiter: AdmissionLimiter
  readonly #serviceTime: ServiceTime
  readonly #timeoutMs: number | undefined
  readonly #maxExpectedWaitMs: number
  /** The 503 sent when the limiter's queue is full or a wait is or would be too long. */
  readonly refusal: ServiceUnavailable

  constructor(options: ConcurrencyLimitOptions) {
    option.check('concurrencyLimit() options', options, SCHEMA)
    this.#limiter = limiterOption('limiter', options?.limiter)
    this.#serviceTime = serviceTimeOf(this.#limiter)
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS
    this.#timeoutMs = timeoutMs === Number.POSITIVE_INFINITY ? undefined : timeoutMs
    this.#maxExpectedWaitMs = options.maxExpectedWaitMs ?? timeoutMs
    this.refusal = serviceUnavailable('concurrency-limit', options.retryAfterSeconds)
  }

  /**
   * Admits one request of a Node server and holds its token until the response is over (sent or
   * cut off). Returns `'admitted'` synchronously when a token is free, with no promise and no
   * `AbortController`, and `'refused'` synchronously when the expected wait is too long; otherwise
   * the request queues and its wait is aborted the moment the client goes away, so it leaves the
   * queue without a token ever being taken for it.
   */
  admitResponse(response: ServerResponse): 'admitted' | 'refused' | Promise<Admission> {
    const lease = this.#limiter.tryAcquire()
    if (lease !== undefined) {
      this.#holdUntilClosed(response, lease)
      return 'admitted'
    }
    if (this.#expectedWaitTooLong()) return 'refused'
    const controller = new AbortController()
    const abort = () => controller.abort()
    response.once('close', abort)
    return this.#limiter.acquire({ signal: controller.signal, timeoutMs: this.#timeoutMs }).then(
      (lease) => {
        response.off('close', abort)
        this.#holdUntilClosed(response, lease)
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
   * The caller calls the returned release when the request is done.
   */
  admitSignal(
    signal: AbortSignal | undefined,
  ): Release | 'refused' | Promise<Release | Exclude<Admission, 'admitted'>> {
    const lease = this.#limiter.tryAcquire()
    if (lease !== undefined) return this.#held(lease)
    if (this.#expectedWaitTooLong()) return 'refused'
    return this.#limiter.acquire({ signal, timeoutMs: this.#timeoutMs }).then(
      (lease) => this.#held(lease),
      (error: unknown) => refusalOf(error, signal),
    )
  }

  #holdUntilClosed(response: ServerResponse, lease: AdmissionLease): void {
    const serviceTime = this.#serviceTime
    const admittedAt = performance.now()
    whenResponseClosed(response, () => {
      serviceTime.record(performance.now() - admittedAt)
      lease.release()
    })
  }

  #held(lease: AdmissionLease): Release {
    const serviceTime = this.#serviceTime
    const admittedAt = performance.now()
    return () => {
      serviceTime.record(performance.now() - admittedAt)
      lease.release()
    }
  }

  /**
   * Whether a request that would queue now can expect to wait longer than `maxExpectedWaitMs`:
   * the requests ahead of it and itself, served `totalTokens` at a time, each taking the recent
   * service time. No estimate yet (or a limiter without these counters) admits it.
   */
  #expectedWaitTooLong(): boolean {
    const bound = this.#maxExpectedWaitMs
    if (bound === Number.POSITIVE_INFINITY) return false
    const serviceMs = this.#serviceTime.estimateMs
    if (serviceMs === undefined) return false
    const { waiting, totalTokens } = this.#limiter
    if (typeof waiting !== 'number' || typeof totalTokens !== 'number' || !(totalTokens > 0)) {
      return false
    }
    return ((waiting + 1) * serviceMs) / totalTokens > bound
  }
}

/**
 * A full queue, a wait past `timeoutMs` or a shared limit whose Redis is unreachable (a
 * `RedisCapacityLimiter` in its `failClosed` mode) is refused; an abort is the client leaving;
 * anything else is a bug to pass on. Recognised by code, never by class: a limiter from a second
 * installed copy of @loopwork/limiter must still get its requests a 503.
 */
function refusalOf(error: unknown, signal: AbortSignal | undefined): 'refused' | 'client-gone' {
  if (
    isLoopworkError(error, 'LOOPWORK_QUEUE_FULL') ||
    isLoopworkError(error, 'LOOPWORK_TIMEOUT') ||
    isLoopworkError(error, 'LOOPWORK_REDIS_UNAVAILABLE')
  ) {
    return 'refused'
  }
  if (signal?.aborted) return 'client-gone'
  throw error
}
