import * as option from '@loopwork/internal/options'
import type { Metrics, StatusPage, StatusPageOptions } from '@loopwork/metrics'
import { methodsOption } from '../option-checks.js'

const metricsOption = methodsOption<Metrics>(['statusPage'])

/**
 * The status page of an adapter's options: `metrics` is checked here, everything else by
 * `metrics.statusPage()` (unknown options, durations, `authorize`), so each mount has one page.
 */
export function statusPageOf(
  what: string,
  options: { readonly metrics: Metrics } & StatusPageOptions<any>,
): StatusPage {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw option.invalid(
      `${what} options`,
      options,
      'an object { metrics, ...status page options }',
    )
  }
  const { metrics, ...pageOptions } = options
  return metricsOption(`${what} options.metrics`, metrics).statusPage(pageOptions)
}

/** The query string of a request URL, with its `?`, or `''`. */
export function queryOf(url: string | undefined): string {
  const query = url?.indexOf('?') ?? -1
  return query === -1 ? '' : url!.slice(query)
}
