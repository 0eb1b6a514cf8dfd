import { Counter, collectDefaultMetrics, Gauge, type Registry } from 'prom-client'
import { ArrayHistogram } from './array-histogram.js'
import { BlockingDetector } from './blocking-detector.js'
import type { BlockingDetection, DetectBlockingOptions } from './blocking-detector-options.js'
import { DetectorActiveError, MetricsClosedError } from './errors.js'
import { EventLoopMetrics } from './event-loop-metrics.js'
import { MetricRegistrations, type RegistrableMetric } from './metric-registration.js'
import { assertFunction, assertOptionsObject } from './option-validation.js'
import type { TrackablePrimitive } from './primitive-shapes.js'
import { PrimitiveTracker, type TrackOptions, type Untrack } from './primitive-tracker.js'
import { renderRegistry } from './render.js'
import type { EndRequest, RequestStartLabels } from './request-labels.js'
import { RequestRecorder } from './request-recorder.js'
import { RequestSeries } from './request-series.js'

/** Validated settings of one `createMetrics`. */
export interface MetricsSettings {
  readonly registry: Registry
  readonly prefix: string
  readonly buckets: readonly number[]
  readonly defaultMetrics: boolean
  readonly eventLoop: boolean
  readonly eventLoopBuckets: readonly number[]
  readonly eventLoopResolutionMs: number
  readonly maxRoutes: number
  readonly groupStatusCodes: boolean
}

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
  readonly #blocks = { count: 0, seconds: 0 }
  #detector: BlockingDetector | undefined
  #closed = false

  constructor(settings: MetricsSettings) {
    const { registry, prefix } = settings
    this.registry = registry
    this.#registrations = new MetricRegistrations(registry)
    const histogram = new ArrayHistogram(
      `${prefix}http_request_duration_seconds`,
      'HTTP request duration by method, matched route template and status code.',
      settings.buckets,
    )
    const series = new RequestSeries(histogram, settings.maxRoutes, settings.groupStatusCodes)
    this.#recorder = new RequestRecorder(histogram, series)
    this.#tracker = new PrimitiveTracker(this.#registrations, prefix)
    this.#eventLoop = settings.eventLoop
      ? new EventLoopMetrics(prefix, settings.eventLoopBuckets, settings.eventLoopResolutionMs)
      : undefined
    try {
      this.#registrations.registerAll([
        histogram,
        ...this.#requestGauges(prefix),
        ...this.#blockCounters(prefix),
        ...(this.#eventLoop?.metrics ?? []),
      ])
      if (settings.defaultMetrics) {
        this.#registrations.registerForeign(() =>
          collectDefaultMetrics({ register: registry, prefix }),
        )
      }
    } catch (error) {
      this.#registrations.unregisterAll()
      this.#eventLoop?.close()
      throw error
    }
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
   * Exports a loopwork primitive's state, recognised by its shape: gauges are read at scrape time,
   * counts from the primitive's cumulative counters or events. Returns the function that stops.
   *
   * @example metrics.track(limiter, { name: 'db' })
   */
  track(primitive: TrackablePrimitive, options?: TrackOptions): Untrack {
    if (this.#closed) throw new MetricsClosedError('track a primitive')
    return this.#tracker.track(primitive, options)
  }

  /**
   * Starts reporting each time the event loop was blocked for at least `thresholdMs`, with the
   * requests that were in flight. Off until called; one detector at a time.
   *
   * @example metrics.detectBlocking({ thresholdMs: 100, onBlocked: (report) => logger.warn(report) })
   */
  detectBlocking(options: DetectBlockingOptions): BlockingDetection {
    if (this.#closed) throw new MetricsClosedError('detect blocking')
    if (this.#detector !== undefined && !this.#detector.closed) throw new DetectorActiveError()
    assertOptionsObject('detectBlocking', options)
    const onBlocked = assertFunction('onBlocked', options?.onBlocked)
    const blocks = this.#blocks
    const detector = new BlockingDetector({
      ...options,
      onBlocked: (report) => {
        blocks.count++
        blocks.seconds += report.durationMs / 1000
        onBlocked(report)
      },
    })
    this.#detector = detector
    this.#recorder.detector = detector
    return detector
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
    this.#detector?.close()
    this.#tracker.close()
    this.#eventLoop?.close()
    this.#registrations.unregisterAll()
  }

  #requestGauges(prefix: string): RegistrableMetric[] {
    const recorder = this.#recorder
    return [
      new Gauge({
        name: `${prefix}http_requests_in_flight`,
        help: 'HTTP requests started and not yet ended.',
        registers: [],
        collect(this: Gauge<string>) {
          this.set(recorder.inFlight)
        },
      }),
    ]
  }

  #blockCounters(prefix: string): RegistrableMetric[] {
    const blocks = this.#blocks
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name: `${prefix}${name}`,
        help,
        registers: [],
        collect(this: Counter<string>) {
          this.reset()
          this.inc(read())
        },
      })
    return [
      counter(
        'eventloop_blocks_total',
        'Times the blocked-loop detector saw the loop blocked past its threshold.',
        () => blocks.count,
      ),
      counter(
        'eventloop_blocked_seconds_total',
        'Time the event loop spent in detected blocks.',
        () => blocks.seconds,
      ),
    ]
  }
}
