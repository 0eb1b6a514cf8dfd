import { adoptResult, isLoopworkError } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import type { TaskArgs, TaskModule, TaskName, WorkerPool } from '@loopwork/thread-offload'
import type { MapArgs, OffloadOptions, ServiceUnavailable } from '../../types.js'
import { serviceUnavailable } from '../admission/service-unavailable.js'
import { defaultErrorLog } from '../error-log.js'
import { methodsOption, retryAfterOption } from '../option-checks.js'

const poolOption = methodsOption<WorkerPool<TaskModule>>(['run'])

const SCHEMA = {
  timeoutMs: option.duration({ infinity: true }),
  retryAfterSeconds: retryAfterOption,
  abortOnDisconnect: option.boolean,
  onError: option.function,
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
export class Offloader<M extends TaskModule, K extends TaskName<M>, R> {
  readonly #pool: WorkerPool<M>
  readonly #task: K
  readonly #mapArgs: MapArgs<R, TaskArgs<M, K>>
  readonly #timeoutMs: number | undefined
  readonly #onError: (error: unknown) => void
  readonly #saturated: ServiceUnavailable
  readonly #closing: ServiceUnavailable
  /** Whether calls take the client's signal. */
  readonly abortOnDisconnect: boolean

  constructor(
    pool: WorkerPool<M>,
    task: K,
    mapArgs: MapArgs<R, TaskArgs<M, K>>,
    options: OffloadOptions | undefined,
  ) {
    this.#pool = poolOption('offload() pool', pool) as WorkerPool<M>
    this.#task = option.name('offload() task', task) as K
    // Called from JavaScript without the mapper, every request would fail with "mapArgs is not a
    // function" (and Express's HTML 500 page): refuse it here, once, naming what is missing.
    if (typeof mapArgs !== 'function') {
      throw option.invalid(
        'offload() mapArgs',
        mapArgs,
        "a function mapping the request to the task's argument list, such as (request) => [request.params.id]",
      )
    }
    this.#mapArgs = mapArgs
    option.check('offload() options', options, SCHEMA)
    this.#timeoutMs =
      options?.timeoutMs === Number.POSITIVE_INFINITY ? undefined : options?.timeoutMs
    this.#onError =
      options?.onError ??
      ((error) => defaultErrorLog.report(`[loopwork] offloaded task "${task}" failed:`, error))
    this.#saturated = serviceUnavailable('pool-saturated', options?.retryAfterSeconds)
    this.#closing = serviceUnavailable('shutting-down', options?.retryAfterSeconds)
    this.abortOnDisconnect = options?.abortOnDisconnect ?? true
  }

  /**
   * The task's arguments for `request`, from `mapArgs` (its result adopted once: a thenable's
   * `then()` is called exactly once). Rejects with what `mapArgs` threw, for the framework's own
   * error handling (a 400, say).
   */
  argsFor(request: R): Promise<TaskArgs<M, K>> {
    try {
      return adoptResult(this.#mapArgs(request))
    } catch (error) {
      return Promise.reject(error)
    }
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
    // By code, never by class: a pool or limiter from a second installed copy of its package must
    // still get its saturated calls a 503, not a 500. A full pool queue or a shed call of the pool's
    // limiter is saturation; a task past its own timeoutMs (LOOPWORK_TIMEOUT) is a failure.
    if (isLoopworkError(error, 'LOOPWORK_QUEUE_FULL')) {
      return { kind: 'refused', answer: this.#saturated }
    }
    if (isLoopworkError(error, 'LOOPWORK_CLOSED')) return { kind: 'refused', answer: this.#closing }
    this.#onError(error)
    return FAILED
  }
}
