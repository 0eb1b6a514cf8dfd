/**
 * How long requests recently held a token of one limiter: an exponentially weighted moving
 * average in which each new request weighs 1/5, so the estimate follows a change of load within a
 * handful of requests without jumping at every outlier.
 */
export class ServiceTime {
  /** The average in milliseconds, or `undefined` until a request has finished. */
  estimateMs: number | undefined = undefined

  /** Counts one request that held its token for `milliseconds`. */
  record(milliseconds: number): void {
    const sample = Math.max(milliseconds, 0)
    this.estimateMs =
      this.estimateMs === undefined ? sample : this.estimateMs + (sample - this.estimateMs) * WEIGHT
  }
}

const WEIGHT = 0.2

/**
 * One estimate per limiter, whichever middleware admitted the request: routes that share a limiter
 * share its queue, so they share what it takes to get through it.
 */
const byLimiter = new WeakMap<object, ServiceTime>()

/** The service time of `limiter`'s requests. */
export function serviceTimeOf(limiter: object): ServiceTime {
  let serviceTime = byLimiter.get(limiter)
  if (serviceTime === undefined) {
    serviceTime = new ServiceTime()
    byLimiter.set(limiter, serviceTime)
  }
  return serviceTime
}
