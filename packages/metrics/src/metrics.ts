import * as option from '@loopwork/internal/options'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { ClosedError, DetectorActiveError } from './errors.js'
import { BlockingDetector, BlockTotals } from './internal/blocking-detector.js'
import { EventLoopMetrics } from './internal/event-loop.js'
import { renderRegistry } from './internal/exposition.js'
import { MetricRegistrations } from './internal/registration.js'
import { RequestRecorder } from './internal/requests.js'
import { metricsSources } from './internal/status-page/metrics-sources.js'
import { PrimitiveTracker } from './internal/track.js'
import { StatusPage } from './status-page.js'
import {
  type BlockingDetection,
  DEFAULT_EVENT_LOOP_DELAY_BUCKETS,
  DEFAULT_REQUEST_BUCKETS,
  type DetectBlockingOptions,
  type EndRequest,
  type MetricsOptions,
  type RequestStartLabels,
  type StatusPageOptions,
  type TrackablePrimitive,
  type TrackOptions,
  type Untrack,
} from './types.js'

/**
 * Request metrics, loopwork primitives and event-loop health in one prom-client registry. Create
 * it with {@link createMetrics}.
 */
export class Metrics {
  /** The registry everything is registered in. */
  readonly registry: Registry
  readonly #recorder: RequestRecorder
  readonly #registrations: MetricRegistrations
  readonly #tracker: PrimitiveTracker
  readonly #eventLoop: EventLoopMetrics | undefined
  readonly #blocks = new BlockTotals()
  #detector: BlockingDetector | undefined
  readonly #statusPages = new Set<{ close(): void }>()
  #closed = false

  /**
   * Checks the options and registers the metrics, all or none. Prefer {@link createMetrics}, which
   * does the same.
   */
  constructor(options?: MetricsOptions) {
    const given = option.check('createMetrics() options', options, metricsOptions) ?? {}
    const registry = given.registry ?? new Registry()
    const prefix = given.prefix ?? ''
    this.registry = registry
    this.#registrations = new MetricRegistrations(registry)
    this.#recorder = new RequestRecorder({
      prefix,
      buckets: bucketsOf(given.buckets, DEFAULT_REQUEST_BUCKETS),
      maxRoutes: given.maxRoutes ?? 1000,
      groupStatusCodes: given.groupStatusCodes ?? false,
    })
    this.#tracker = new PrimitiveTracker(this.#registrations, prefix)
    this.#eventLoop =
      given.eventLoop === false
        ? undefined
        : new EventLoopMetrics(
            prefix,
            bucketsOf(given.eventLoopBuckets, DEFAULT_EVENT_LOOP_DELAY_BUCKETS),
            given.eventLoopResolutionMs ?? 10,
          )
    try {
      this.#registrations.registerAll([
        ...this.#recorder.metrics,
        ...this.#blocks.metrics(prefix),
        ...(this.#eventLoop?.metrics ?? []),
      ])
      if (given.defaultMetrics === true) {
        this.#registrations.registerForeign(() =>
          collectDefaultMetrics({ register: registry, prefix }),
        )
      }
    } catch (error) {
      this.#registrations.unregisterAll()
      this.#eventLoop?.close()
      throw error
    }
    metricsSources.set(this, {
      recorder: this.#recorder,
      tracker: this.#tracker,
      blocks: this.#blocks,
      detector: () => this.#detector,
      pages: this.#statusPages,
      closed: () => this.#closed,
    })
  }

  /** The `Content-Type` to serve {@link render}'s output with. */
  get contentType(): string {
    return this.registry.contentType
  }

  /** Requests started and not yet ended. */
  get inFlight(): number {
    return this.#recorder.inFlight
  }

  /**
   * Starts timing a request and counts it in flight; call the returned function once when the
   * response is done. The optional labels feed blocked-loop reports only.
   *
   * @example
   * const end = metrics.startRequest()
   * // ... route and handle the request ...
   * end({ method: 'GET', route: '/users/:id', status: 200 }) // the template, never the raw path
   */
  startRequest(labels?: RequestStartLabels): EndRequest {
    return this.#recorder.start(labels)
  }

  /**
   * Exports a loopwork primitive's state, recognised by its shape: gauges and counters are read
   * from its `stats()` at scrape time, distributions from its events. Returns the function that
   * stops. Throws `UnrecognisedPrimitiveError` for an object of no known shape,
   * `AlreadyTrackedError` for a primitive or a name tracked twice, and `ClosedError` after `close()`.
   *
   * @example metrics.track(limiter, { name: 'db' })
   */
  track(primitive: TrackablePrimitive, options?: TrackOptions): Untrack {
    if (this.#closed) throw new ClosedError('Cannot track a primitive: these metrics were closed')
    return this.#tracker.track(primitive, options)
  }

  /**
   * Starts reporting each time the event loop was blocked for at least `thresholdMs`, with the
   * requests that were in flight. Off until called; one detector at a time
   * (`DetectorActiveError` otherwise).
   *
   * @example metrics.detectBlocking({ thresholdMs: 100, onBlocked: (report) => console.warn(report) })
   */
  detectBlocking(options: DetectBlockingOptions): BlockingDetection {
    if (this.#closed) throw new ClosedError('Cannot detect blocking: these metrics were closed')
    if (this.#detector !== undefined && !this.#detector.closed) throw new DetectorActiveError()
    const detector = new BlockingDetector(options, undefined, this.#blocks)
    this.#detector = detector
    this.#recorder.detector = detector
    return detector
  }

  /**
   * A live status page of these metrics (event loop, blocked-loop reports, requests per route,
   * every tracked primitive, the process), served over Server-Sent Events with a JSON fallback.
   * Mount it with `@loopwork/adapters` (`statusPage({ metrics })` on Express, Fastify or Hono) or
   * call its `handleNode()` / `handleFetch()`. Only loopback clients are let in unless `authorize`
   * says otherwise; nothing is sampled while no page is open. Closed with these metrics.
   *
   * @example
   * const page = metrics.statusPage({ authorize: (request) => isAdmin(request) })
   */
  statusPage(options?: StatusPageOptions<any>): StatusPage {
    if (this.#closed) throw new ClosedError('Cannot open a status page: these metrics were closed')
    const page = new StatusPage(this, options)
    this.#statusPages.add(page)
    return page
  }

  /** The registry's metrics in Prometheus text format (or OpenMetrics, per the registry). */
  render(): Promise<string> {
    return renderRegistry(this.registry)
  }

  /**
   * Removes these metrics from the registry, untracks every primitive, stops the detector and the
   * event-loop monitor. Requests can still start and end (they are no longer exported). Idempotent.
   * prom-client's default metrics keep their own monitors, which it offers no way to stop.
   */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    for (const page of [...this.#statusPages]) page.close()
    this.#detector?.close()
    this.#tracker.close()
    this.#eventLoop?.close()
    this.#registrations.unregisterAll()
  }
}

/**
 * Creates request metrics, primitive tracking and event-loop health in a prom-client registry.
 * Throws a `TypeError` or `RangeError` with code `LOOPWORK_INVALID_OPTION` naming the option for a
 * bad option, and `MetricNameConflictError` (registering nothing) when a name is taken in a shared
 * registry.
 *
 * @example
 * const metrics = createMetrics({ prefix: 'app_' })
 * const end = metrics.startRequest()
 * end({ method: 'GET', route: '/users/:id', status: 200 })
 * response.setHeader('content-type', metrics.contentType)
 * response.end(await metrics.render())
 */
export function createMetrics(options?: MetricsOptions): Metrics {
  return new Metrics(options)
}

const metricNamePrefix = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/

const registryOption: option.Check<Registry> = (name, value) => {
  const candidate = value as Partial<Registry> | null
  if (
    typeof candidate?.registerMetric === 'function' &&
    typeof candidate.getSingleMetric === 'function' &&
    typeof candidate.metrics === 'function'
  ) {
    return value as Registry
  }
  throw option.invalid(name, value, 'a prom-client Registry')
}

const prefixOption: option.Check<string> = (name, value) => {
  if (typeof value === 'string' && metricNamePrefix.test(value)) return value
  throw option.invalid(
    name,
    value,
    'the start of a Prometheus metric name: letters, digits, "_" and ":", not starting with a digit',
  )
}

/** A non-empty array of finite, non-negative, strictly ascending numbers. */
const bucketsOption: option.Check<readonly number[]> = (name, value) => {
  if (!Array.isArray(value) || value.length === 0) {
    throw option.invalid(name, value, 'a non-empty array of ascending upper bounds in seconds')
  }
  for (let index = 0; index < value.length; index++) {
    const bound: unknown = value[index]
    if (typeof bound !== 'number' || !Number.isFinite(bound) || bound < 0) {
      throw option.invalid(
        `${name}[${index}]`,
        bound,
        'a finite number >= 0 (+Inf is always added)',
      )
    }
    const previous = value[index - 1] as number
    if (index > 0 && bound <= previous) {
      throw option.invalid(
        `${name}[${index}]`,
        bound,
        `greater than ${name}[${index - 1}] (${previous}): bounds must be strictly ascending`,
        true,
      )
    }
  }
  return value
}

const resolutionDuration = option.duration({ min: 1 })

/** A duration, and a whole number of at most 1000 ms: the delay monitor's sampling resolution. */
const resolutionOption: option.Check<number> = (name, value) => {
  const milliseconds = resolutionDuration(name, value)
  if (Number.isInteger(milliseconds) && milliseconds <= 1000) return milliseconds
  throw option.invalid(name, value, 'a whole number of milliseconds from 1 to 1000')
}

const metricsOptions = {
  registry: registryOption,
  prefix: prefixOption,
  buckets: bucketsOption,
  defaultMetrics: option.boolean,
  eventLoop: option.boolean,
  eventLoopBuckets: bucketsOption,
  eventLoopResolutionMs: resolutionOption,
  maxRoutes: option.integer({ min: 1, max: 1_000_000 }),
  groupStatusCodes: option.boolean,
}

/** A frozen copy of checked buckets, so later changes by the caller cannot corrupt the histogram. */
function bucketsOf(
  buckets: readonly number[] | undefined,
  fallback: readonly number[],
): readonly number[] {
  return buckets === undefined ? fallback : Object.freeze([...buckets])
}
