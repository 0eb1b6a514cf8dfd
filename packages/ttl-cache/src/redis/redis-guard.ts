import { CircuitOpenError, RedisTimeoutError } from '../errors.js'
import type { CircuitBreaker } from './circuit-breaker.js'

/**
 * Every Redis call goes through here: it gets a timeout (an ioredis command can otherwise wait in
 * the offline queue for as long as reconnecting takes) and passes the circuit breaker. A failure is
 * reported once, then thrown for the caller to fall back on memory.
 */
export class RedisGuard {
  readonly #timeoutMs: number
  readonly #breaker: CircuitBreaker
  readonly #report: (error: unknown, operation: string) => void

  constructor(
    timeoutMs: number,
    breaker: CircuitBreaker,
    report: (error: unknown, operation: string) => void,
  ) {
    this.#timeoutMs = timeoutMs
    this.#breaker = breaker
    this.#report = report
  }

  /** Runs `send` unless the circuit is open, bounded by the timeout. */
  async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    const retryInMs = this.#breaker.admit()
    if (retryInMs > 0) throw new CircuitOpenError(operation, retryInMs)
    try {
      const result = await withTimeout(send(), this.#timeoutMs, operation)
      this.#breaker.succeed()
      return result
    } catch (error) {
      this.#breaker.fail()
      this.#report(error, operation)
      throw error
    }
  }
}

function withTimeout<T>(pending: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisTimeoutError(operation, timeoutMs)), timeoutMs)
    timer.unref()
    // Both outcomes are handled, so a reply arriving after the timeout is no unhandled rejection.
    pending.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
