/**
 * Request recording: the per-request path (`startRequest()` and its `end()`), the resolution of
 * request labels to a histogram series, the validation and normalisation of label values, and the
 * request metrics (duration histogram, in-flight gauge).
 */
import { METHODS } from 'node:http'
import { Gauge } from 'prom-client'
import { InvalidLabelValueError } from '../errors.js'
import {
  type EndRequest,
  OTHER_METHOD,
  OVERFLOW_ROUTE,
  type RequestLabels,
  type RequestStartLabels,
  UNMATCHED_ROUTE,
} from '../types.js'
import type { BlockingDetector, InFlightRequest } from './blocking-detector.js'
import { ArrayHistogram, type SeriesLabels } from './exposition.js'
import type { RegistrableMetric } from './registration.js'

const clock = performance

/** What the request metrics are configured with. */
export interface RequestSettings {
  readonly prefix: string
  readonly buckets: readonly number[]
  readonly maxRoutes: number
  readonly groupStatusCodes: boolean
}

/**
 * The per-request path: an in-flight count, a start time, and at the end three cached map lookups
 * and a typed-array increment. `startRequest()` must return a function (the public API), so each
 * request costs one closure; pooling those closures would let a late second `end()` of one request
 * end another, so correctness wins over that last allocation.
 */
export class RequestRecorder {
  /** Requests started and not yet ended. */
  inFlight = 0
  /** The running blocked-loop detector, if any. */
  detector: BlockingDetector | undefined
  /** The metrics to register: the duration histogram and the in-flight gauge. */
  readonly metrics: readonly RegistrableMetric[]
  /**
   * Route templates whose requests are not measured: a status page's own routes, whose event
   * stream would otherwise sit in flight for minutes and show in every blocked-loop report.
   */
  readonly unmeasuredRoutes = new Set<string>()
  readonly #histogram: ArrayHistogram
  readonly #series: RequestSeries

  constructor(settings: RequestSettings) {
    const { prefix } = settings
    this.#histogram = new ArrayHistogram(
      `${prefix}http_request_duration_seconds`,
      'HTTP request duration by method, matched route template and status code.',
      settings.buckets,
    )
    this.#series = new RequestSeries(this.#histogram, settings.maxRoutes, settings.groupStatusCodes)
    const recorder = this
    const inFlight = new Gauge({
      name: `${prefix}http_requests_in_flight`,
      help: 'HTTP requests started and not yet ended.',
      registers: [],
      collect(this: Gauge<string>) {
        this.set(recorder.inFlight)
      },
    })
    this.metrics = [this.#histogram, inFlight]
  }

  /** The request duration histogram, read by the status page. */
  get histogram(): ArrayHistogram {
    return this.#histogram
  }

  /** Starts timing a request and counts it in flight. */
  start(labels?: RequestStartLabels): EndRequest {
    if (this.unmeasuredRoutes.size > 0 && this.unmeasuredRoutes.has(labels?.route as string)) {
      return unmeasured(clock.now())
    }
    this.inFlight++
    const startedAt = clock.now()
    const detector = this.detector
    return detector === undefined || detector.closed
      ? this.#end(startedAt)
      : this.#endWatched(startedAt, detector, detector.enter(labels))
  }

  #end(startedAt: number): EndRequest {
    let seconds = -1
    return (labels: RequestLabels): number => {
      if (seconds !== -1) return seconds
      seconds = (clock.now() - startedAt) / 1000
      this.inFlight--
      // Resolving may throw for a bad label; the request has already left the in-flight count.
      const series = this.#series.resolve(labels)
      if (this.unmeasuredRoutes.size === 0 || !this.#unmeasured(series)) {
        this.#histogram.observe(series, seconds)
      }
      return seconds
    }
  }

  #endWatched(startedAt: number, detector: BlockingDetector, entry: InFlightRequest): EndRequest {
    let seconds = -1
    return (labels: RequestLabels): number => {
      if (seconds !== -1) return seconds
      const now = clock.now()
      seconds = (now - startedAt) / 1000
      this.inFlight--
      detector.leave(entry)
      const series = this.#series.resolve(labels)
      if (this.unmeasuredRoutes.size === 0 || !this.#unmeasured(series)) {
        this.#histogram.observe(series, seconds)
      }
      if (now > detector.alarmAt) detector.endedDuringBlock(this.#series.labels[series]!)
      return seconds
    }
  }

  #unmeasured(series: number): boolean {
    return this.unmeasuredRoutes.has(this.#series.labels[series]!.route!)
  }
}

/** The end of a request that is not measured: it only tells its duration. */
function unmeasured(startedAt: number): EndRequest {
  let seconds = -1
  return () => {
    if (seconds === -1) seconds = (clock.now() - startedAt) / 1000
    return seconds
  }
}

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
class RequestSeries {
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

const knownMethods = new Set(METHODS)

/** The `method` label: upper case if Node knows the method, {@link OTHER_METHOD} otherwise (method strings come from clients). */
function methodLabel(method: unknown): string {
  if (typeof method !== 'string' && typeof method !== 'number') {
    throw new InvalidLabelValueError('method', method, 'a string such as "GET"')
  }
  const upper = String(method).toUpperCase()
  return knownMethods.has(upper) ? upper : OTHER_METHOD
}

/** The route label for a matched route template. */
function routeLabel(route: unknown): string {
  if (typeof route === 'string') return route
  if (typeof route === 'number' && Number.isFinite(route)) return String(route)
  throw new InvalidLabelValueError(
    'route',
    route,
    'the matched route template as a string, or undefined when no route matched',
  )
}

/** The status code as an integer from 100 to 999. */
function statusCode(status: unknown): number {
  const code = typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : status
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 999) {
    throw new InvalidLabelValueError(
      'status',
      status,
      'an HTTP status code from 100 to 999 (a number or a numeric string)',
    )
  }
  return code
}

/** The `status_code` label: the code, or its class (`2xx`) when codes are grouped. */
function statusLabel(code: number, grouped: boolean): string {
  return grouped ? `${Math.floor(code / 100)}xx` : String(code)
}
