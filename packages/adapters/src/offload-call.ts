import { LimiterQueueFullError, LimiterTimeoutError } from '@loopwork/limiter'
import {
  PoolClosedError,
  PoolQueueFullError,
  type TaskArgs,
  type TaskModule,
  type TaskName,
  type WorkerPool,
} from '@loopwork/thread-offload'
import {
  assertHasMethods,
  assertOptionalFunction,
  assertOptionalMilliseconds,
  assertOptionsObject,
  describe,
  invalid,
} from './option-validation.js'
import { type ServiceUnavailable, serviceUnavailable } from './service-unavailable.js'

/** Options of `offload()` in every adapter. */
export interface OffloadOptions {
  /**
   * Longest running time of one call; past it the thread is replaced and the client gets 500.
   *
   * @default undefined (no limit)
   * @example offload(pool, 'resize', (request) => [request.body], { timeoutMs: 5_000 })
   */
  readonly timeoutMs?: number | undefined

  /**
   * The `Retry-After` of the 503 sent when the pool (its queue or its limiter) is saturated.
   *
   * @default 1
   * @example offload(pool, 'report', () => [], { retryAfterSeconds: 5 })
   */
  readonly retryAfterSeconds?: number | undefined

  /**
   * Whether a client that disconnects cancels its call: a queued call leaves the queue; a running
   * one is stopped by replacing its thread (threads cannot be interrupted otherwise), which frees
   * the CPU for clients still waiting but costs a thread start.
   *
   * @default true
   * @example offload(pool, 'fib', (request) => [Number(request.params.n)], { abortOnDisconnect: false })
   */
  readonly abortOnDisconnect?: boolean | undefined

  /**
   * Called with each error a task threw (or a crash, or a timeout): the client only gets a plain
   * 500 without message or stack, so this is where it is seen.
   *
   * @default logs `[loopwork] offloaded task "<name>" failed:` and the error to stderr
   * @example offload(pool, 'fib', mapper, { onError: (error) => logger.error(error) })
   */
  readonly onError?: ((error: unknown) => void) | undefined
}

/** What an offloaded call turned into, for the adapter to send. */
export type OffloadAnswer =
  | { readonly kind: 'result'; readonly contentType: string; readonly body: string | Uint8Array }
  | { readonly kind: 'refused'; readonly answer: ServiceUnavailable }
  | { readonly kind: 'failed' }
  | { readonly kind: 'gone' }

/** The body of a 500 from an offloaded task: nothing about the error reaches the client. */
export const TASK_FAILED_BODY = JSON.stringify({ error: 'Internal Server Error' })

const JSON_TYPE = 'application/json; charset=utf-8'
const FAILED: OffloadAnswer = Object.freeze({ kind: 'failed' })
const GONE: OffloadAnswer = Object.freeze({ kind: 'gone' })

/**
 * The framework-neutral half of `offload()`: runs one task of a WorkerPool for a request and turns
 * the outcome into an answer: the result as JSON (bytes as `application/octet-stream`), 503 with
 * `Retry-After` when the pool or its limiter is saturated or the pool is closing, 500 with no
 * detail when the task failed.
 */
export class Offloader<M extends TaskModule, K extends TaskName<M>> {
  readonly #pool: WorkerPool<M>
  readonly #task: K
  readonly #timeoutMs: number | undefined
  readonly #onError: (error: unknown) => void
  readonly #saturated: ServiceUnavailable
  readonly #closing: ServiceUnavailable
  /** Whether calls take the client's signal. */
  readonly abortOnDisconnect: boolean

  constructor(pool: WorkerPool<M>, task: K, options: OffloadOptions = {}) {
    assertHasMethods('pool', pool, ['run'])
    if (typeof task !== 'string' || task.length === 0) {
      throw invalid(task, `task must be the name of an exported function, got ${describe(task)}`)
    }
    assertOptionsObject('options', options)
    assertOptionalFunction('onError', options.onError)
    if (options.abortOnDisconnect !== undefined && typeof options.abortOnDisconnect !== 'boolean') {
      throw invalid(
        options.abortOnDisconnect,
        `abortOnDisconnect must be a boolean, got ${describe(options.abortOnDisconnect)}`,
      )
    }
    this.#pool = pool
    this.#task = task
    this.#timeoutMs = assertOptionalMilliseconds('timeoutMs', options.timeoutMs)
    this.#onError =
      options.onError ??
      ((error) => console.error(`[loopwork] offloaded task "${task}" failed:`, error))
    this.#saturated = serviceUnavailable('pool-saturated', options.retryAfterSeconds)
    this.#closing = serviceUnavailable('shutting-down', options.retryAfterSeconds)
    this.abortOnDisconnect = options.abortOnDisconnect ?? true
  }

  /** Runs the task with `args`; never rejects. */
  async call(args: TaskArgs<M, K>, signal: AbortSignal | undefined): Promise<OffloadAnswer> {
    try {
      const result = await this.#pool.run(this.#task, args, {
        signal,
        timeoutMs: this.#timeoutMs,
      })
      return result instanceof Uint8Array
        ? { kind: 'result', contentType: 'application/octet-stream', body: result }
        : { kind: 'result', contentType: JSON_TYPE, body: JSON.stringify(result) ?? 'null' }
    } catch (error) {
      return this.#answerFor(error, signal)
    }
  }

  #answerFor(error: unknown, signal: AbortSignal | undefined): OffloadAnswer {
    if (signal?.aborted === true) return GONE
    if (
      error instanceof PoolQueueFullError ||
      error instanceof LimiterQueueFullError ||
      error instanceof LimiterTimeoutError
    ) {
      return { kind: 'refused', answer: this.#saturated }
    }
    if (error instanceof PoolClosedError) return { kind: 'refused', answer: this.#closing }
    this.#onError(error)
    return FAILED
  }
}
