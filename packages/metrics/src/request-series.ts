import type { ArrayHistogram, SeriesLabels } from './array-histogram.js'
import { InvalidLabelValueError } from './errors.js'
import { methodLabel, routeLabel, statusCode, statusLabel } from './label-values.js'
import { OVERFLOW_ROUTE, type RequestLabels, UNMATCHED_ROUTE } from './request-labels.js'

/** Raw keys (`'get'` besides `'GET'`, `'200'` besides `200`) cached per level; past it, lookups still work, uncached. */
const aliasLimit = 64

interface RouteSeries {
  readonly route: string
  /** Raw and canonical method values → the method's statuses. */
  readonly methods: Map<unknown, MethodSeries>
  aliases: number
}

interface MethodSeries {
  readonly route: string
  readonly method: string
  /** Raw status values and canonical codes → series number. */
  readonly statuses: Map<unknown, number>
  /** `status_code` label → series number (codes share one when grouped into classes). */
  readonly byLabel: Map<string, number>
  aliases: number
}

/**
 * Resolves request labels to a histogram series number through three cached map lookups (route,
 * method, status), so the hot path neither builds a key string nor hashes a label object. Label
 * values are validated and normalised only when a combination is seen for the first time.
 */
export class RequestSeries {
  readonly #histogram: ArrayHistogram
  readonly #maxRoutes: number
  readonly #groupStatusCodes: boolean
  readonly #routes = new Map<unknown, RouteSeries>()
  readonly #canonicalRoutes = new Map<string, RouteSeries>()
  readonly #unmatched: RouteSeries
  /** Labels of every series, by series number. */
  readonly labels: SeriesLabels[] = []

  constructor(histogram: ArrayHistogram, maxRoutes: number, groupStatusCodes: boolean) {
    this.#histogram = histogram
    this.#maxRoutes = maxRoutes
    this.#groupStatusCodes = groupStatusCodes
    this.#unmatched = { route: UNMATCHED_ROUTE, methods: new Map(), aliases: 0 }
  }

  /** The series number of these labels; throws `InvalidLabelValueError` for a value it cannot label. */
  resolve(labels: RequestLabels): number {
    if (typeof labels !== 'object' || labels === null) {
      throw new InvalidLabelValueError('labels', labels, 'an object { method, route, status }')
    }
    const route = labels.route
    const routeSeries =
      route === undefined || route === null
        ? this.#unmatched
        : (this.#routes.get(route) ?? this.#addRoute(route))
    const method = labels.method
    const methodSeries = routeSeries.methods.get(method) ?? this.#addMethod(routeSeries, method)
    const series = methodSeries.statuses.get(labels.status)
    return series === undefined ? this.#addStatus(methodSeries, labels.status) : series
  }

  #addRoute(raw: unknown): RouteSeries {
    const route = routeLabel(raw)
    let entry = this.#canonicalRoutes.get(route)
    if (entry === undefined) {
      if (this.#canonicalRoutes.size >= this.#maxRoutes) {
        entry = this.#canonicalRoutes.get(OVERFLOW_ROUTE) ?? this.#newRoute(OVERFLOW_ROUTE)
        // Not cached under the raw value: a caller passing raw paths would grow the map forever.
        return entry
      }
      entry = this.#newRoute(route)
    }
    if (this.#routes.size < 2 * this.#maxRoutes) this.#routes.set(raw, entry)
    return entry
  }

  #newRoute(route: string): RouteSeries {
    const entry: RouteSeries = { route, methods: new Map(), aliases: 0 }
    this.#canonicalRoutes.set(route, entry)
    return entry
  }

  #addMethod(routeSeries: RouteSeries, raw: unknown): MethodSeries {
    const method = methodLabel(raw)
    let entry = routeSeries.methods.get(method)
    if (entry === undefined) {
      entry = {
        route: routeSeries.route,
        method,
        statuses: new Map(),
        byLabel: new Map(),
        aliases: 0,
      }
      routeSeries.methods.set(method, entry)
    }
    if (routeSeries.aliases < aliasLimit) {
      routeSeries.aliases++
      routeSeries.methods.set(raw, entry)
    }
    return entry
  }

  #addStatus(methodSeries: MethodSeries, raw: unknown): number {
    const code = statusCode(raw)
    const label = statusLabel(code, this.#groupStatusCodes)
    let series = methodSeries.byLabel.get(label)
    if (series === undefined) {
      const labels = Object.freeze({
        method: methodSeries.method,
        route: methodSeries.route,
        status_code: label,
      })
      series = this.#histogram.addSeries(labels)
      this.labels[series] = labels
      methodSeries.byLabel.set(label, series)
    }
    methodSeries.statuses.set(code, series)
    if (methodSeries.aliases < aliasLimit) {
      methodSeries.aliases++
      methodSeries.statuses.set(raw, series)
    }
    return series
  }
}
