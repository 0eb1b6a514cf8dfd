import type { OverloadGuard, OverloadStatus } from '@loopwork/metrics'
import {
  assertHasMethods,
  assertOptionalPaths,
  assertOptionalSeconds,
  assertOptionsObject,
} from './option-validation.js'
import { type ServiceUnavailable, serviceUnavailable } from './service-unavailable.js'

/** Options of the `loadShedding` middleware/plugin of every adapter. */
export interface LoadSheddingOptions {
  /**
   * The overload guard whose verdict decides: while it reports overload, requests get 503 with
   * `Retry-After` before any handler runs. Its check is a field read, so the guard costs nothing
   * per request.
   *
   * @example loadShedding({ guard: createOverloadGuard({ maxEventLoopDelayMs: 200 }) })
   */
  readonly guard: Pick<OverloadGuard, 'check'> & { readonly retryAfterSeconds?: number }

  /**
   * Paths (exact, without the query string) that are never shed, so monitoring keeps working
   * while the server sheds load: the scrape and the health check. Replaces the default list.
   *
   * @default ['/metrics', '/health']
   * @example loadShedding({ guard, exempt: ['/metrics', '/healthz', '/readyz'] })
   */
  readonly exempt?: readonly string[] | undefined

  /**
   * The `Retry-After` of shed requests, in whole seconds.
   *
   * @default the guard's own `retryAfterSeconds` (10 for `createOverloadGuard`)
   * @example loadShedding({ guard, retryAfterSeconds: 2 })
   */
  readonly retryAfterSeconds?: number | undefined
}

/** The paths exempt from load shedding unless told otherwise. */
export const DEFAULT_EXEMPT_PATHS: readonly string[] = Object.freeze(['/metrics', '/health'])

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
    assertOptionsObject('options', options)
    assertHasMethods('guard', options.guard, ['check'])
    this.#exempt = new Set(assertOptionalPaths('exempt', options.exempt) ?? DEFAULT_EXEMPT_PATHS)
    const guardSeconds = options.guard.retryAfterSeconds
    this.#retryAfterSeconds =
      assertOptionalSeconds('retryAfterSeconds', options.retryAfterSeconds) ??
      (typeof guardSeconds === 'number' ? Math.ceil(guardSeconds) : undefined)
    this.#guard = options.guard
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
