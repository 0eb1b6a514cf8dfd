import { startTimer, TimeoutError } from '@loopwork/internal'
import { CircuitOpenError } from '../../errors.js'
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
  readonly #cacheName: string

  constructor(
    timeoutMs: number,
    breaker: CircuitBreaker,
    report: (error: unknown, operation: string) => void,
    cacheName: string,
  ) {
    this.#timeoutMs = timeoutMs
    this.#breaker = breaker
    this.#report = report
    this.#cacheName = cacheName
  }

  /** Runs `send` unless the circuit is open, bounded by the timeout. */
  async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    const retryInMs = this.#breaker.admit()
    if (retryInMs > 0) throw new CircuitOpenError(operation, retryInMs, this.#cacheName)
    try {
      const result = await this.#withTimeout(send(), operation)
      this.#breaker.succeed()
      return result
    } catch (error) {
      this.#breaker.fail()
      this.#report(error, operation)
      throw error
    }
  }

  #withTimeout<T>(pending: Promise<T>, operation: string): Promise<T> {
    const timeoutMs = this.#timeoutMs
    return new Promise<T>((resolve, reject) => {
      const timer = startTimer(() => {
        reject(
          new TimeoutError(
            `cache ${JSON.stringify(this.#cacheName)}: Redis operation "${operation}" did not answer within operationTimeoutMs (${timeoutMs} ms)`,
            timeoutMs,
          ),
        )
      }, timeoutMs)
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
}
