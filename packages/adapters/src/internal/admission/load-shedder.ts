import * as option from '@loopwork/internal/options'
import type { OverloadStatus } from '@loopwork/metrics'
import {
  DEFAULT_EXEMPT_PATHS,
  type LoadSheddingOptions,
  type ServiceUnavailable,
} from '../../types.js'
import { methodsOption, pathsOption, retryAfterOption } from '../option-checks.js'
import { serviceUnavailable } from './service-unavailable.js'

const guardOption = methodsOption<LoadSheddingOptions['guard']>(['check'])

const SCHEMA = { guard: guardOption, exempt: pathsOption, retryAfterSeconds: retryAfterOption }

/**
 * The framework-neutral half of load shedding: asks the guard, and while it reports overload
 * answers every path that is not exempt with a 503 built once per overload reason.
 */
export class LoadShedder {
  readonly #guard: LoadSheddingOptions['guard']
  readonly #exempt: ReadonlySet<string>
  readonly #retryAfterSeconds: number | undefined
  readonly #refusals = new Map<string, ServiceUnavailable>()

  constructor(options: LoadSheddingOptions) {
    option.check('loadShedding() options', options, SCHEMA)
    this.#guard = guardOption('guard', options?.guard)
    this.#exempt = new Set(options.exempt ?? DEFAULT_EXEMPT_PATHS)
    const guardSeconds = this.#guard.retryAfterSeconds
    this.#retryAfterSeconds =
      options.retryAfterSeconds ??
      (typeof guardSeconds === 'number' ? Math.ceil(guardSeconds) : undefined)
  }

  /**
   * The 503 to answer `request` with, or `undefined` to let it through. `pathOf` is called only
   * while overloaded, so a healthy server never even computes the path.
   */
  refusalFor<R>(request: R, pathOf: (request: R) => string): ServiceUnavailable | undefined {
    const status = this.#guard.check()
    if (!status.overloaded || this.#exempt.has(pathOf(request))) return undefined
    return this.#refusal(status)
  }

  #refusal(status: OverloadStatus): ServiceUnavailable {
    const reason = status.reason ?? 'overloaded'
    let refusal = this.#refusals.get(reason)
    if (refusal === undefined) {
      refusal = serviceUnavailable(
        'overloaded',
        // The guard's value is validated by the guard, not necessarily as whole seconds.
        this.#retryAfterSeconds ?? Math.ceil(status.retryAfterSeconds ?? 10),
        status.reason,
      )
      this.#refusals.set(reason, refusal)
    }
    return refusal
  }
}

/** The path of a request URL, without its query string. */
export function pathOfUrl(url: string | undefined): string {
  if (url === undefined) return '/'
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}
