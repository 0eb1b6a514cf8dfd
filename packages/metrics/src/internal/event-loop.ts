import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { type Aggregator, Counter, Gauge } from 'prom-client'
import { ArrayHistogram } from './exposition.js'
import type { RegistrableMetric } from './registration.js'

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>

/** Scrapes closer together than this share one window, so two scrapers do not shrink each other's. */
const minimumWindowMs = 1_000

/**
 * Event-loop health as metrics: a cumulative delay histogram and the delay percentiles of the last
 * window from `monitorEventLoopDelay`, and utilization from `performance.eventLoopUtilization`.
 * The monitor is folded into the histogram and reset at scrape time (at most once a second), so
 * the histogram never goes flat and `rate()` over it is right however many scrapers there are.
 *
 * Node's monitor reports each delay plus its own resolution; that offset is subtracted here, so an
 * idle loop reads about 0.
 */
export class EventLoopMetrics {
  readonly delayHistogram: ArrayHistogram
  readonly #monitor: IntervalHistogram
  readonly #resolutionNs: number
  readonly #series: number
  readonly #window = { p50: 0, p90: 0, p99: 0, max: 0, utilization: 0 }
  #lastUtilization: EventLoopUtilization
  #lastFoldAt: number
  readonly #metrics: RegistrableMetric[]

  constructor(prefix: string, buckets: readonly number[], resolutionMs: number) {
    this.#monitor = monitorEventLoopDelay({ resolution: resolutionMs })
    this.#monitor.enable()
    this.#resolutionNs = resolutionMs * 1e6
    this.#lastUtilization = performance.eventLoopUtilization()
    // The first scrape folds whatever window there is; later ones at most once a second.
    this.#lastFoldAt = Number.NEGATIVE_INFINITY
    this.delayHistogram = new ArrayHistogram(
      `${prefix}eventloop_delay_seconds`,
      'Event-loop delay: how late the loop ran a timer that was due (monitorEventLoopDelay).',
      buckets,
      () => this.#fold(),
    )
    this.#series = this.delayHistogram.addSeries(Object.freeze({}))
    this.#metrics = [this.delayHistogram, ...this.#gauges(prefix), this.#activeCounter(prefix)]
  }

  /** The metrics to register. */
  get metrics(): readonly RegistrableMetric[] {
    return this.#metrics
  }

  /** Stops the delay monitor. */
  close(): void {
    this.#monitor.disable()
  }

  #fold(): void {
    const now = performance.now()
    if (now - this.#lastFoldAt < minimumWindowMs) return
    this.#lastFoldAt = now
    const monitor = this.#monitor
    const count = monitor.count
    const offset = this.#resolutionNs
    const seconds = (nanoseconds: number) => Math.max(0, nanoseconds - offset) / 1e9
    if (count > 0) {
      const counts = bucketCountsFromPercentiles(
        monitor.percentiles,
        count,
        this.delayHistogram.bounds,
        offset,
      )
      this.delayHistogram.add(this.#series, counts, count * seconds(monitor.mean))
    }
    const window = this.#window
    window.p50 = count > 0 ? seconds(monitor.percentile(50)) : 0
    window.p90 = count > 0 ? seconds(monitor.percentile(90)) : 0
    window.p99 = count > 0 ? seconds(monitor.percentile(99)) : 0
    window.max = count > 0 ? seconds(monitor.max) : 0
    const utilization = performance.eventLoopUtilization()
    window.utilization = performance.eventLoopUtilization(
      utilization,
      this.#lastUtilization,
    ).utilization
    this.#lastUtilization = utilization
    monitor.reset()
  }

  #gauges(prefix: string): RegistrableMetric[] {
    const window = this.#window
    const fold = () => this.#fold()
    /** A gauge of one number of the last window, folded in at each scrape. */
    const windowGauge = (name: string, help: string, aggregator: Aggregator, read: () => number) =>
      new Gauge({
        name: `${prefix}${name}`,
        help,
        registers: [],
        aggregator,
        collect(this: Gauge<string>) {
          fold()
          this.set(read())
        },
      })
    return [
      new Gauge({
        name: `${prefix}eventloop_delay_window_seconds`,
        help: 'Event-loop delay percentiles over the last window (between scrapes, at least 1 s).',
        labelNames: ['quantile'],
        registers: [],
        aggregator: 'max',
        collect(this: Gauge<string>) {
          fold()
          this.set({ quantile: '0.5' }, window.p50)
          this.set({ quantile: '0.9' }, window.p90)
          this.set({ quantile: '0.99' }, window.p99)
        },
      }),
      windowGauge(
        'eventloop_delay_window_max_seconds',
        'The longest event-loop delay in the last window.',
        'max',
        () => window.max,
      ),
      windowGauge(
        'eventloop_utilization',
        'Share of the last window the event loop spent running code (0..1), not waiting for I/O.',
        'average',
        () => window.utilization,
      ),
    ]
  }

  #activeCounter(prefix: string): RegistrableMetric {
    return new Counter({
      name: `${prefix}eventloop_active_seconds_total`,
      help: 'Time the event loop spent running code since the process started; rate() of it is the utilization.',
      registers: [],
      collect(this: Counter<string>) {
        this.reset()
        this.inc(performance.eventLoopUtilization().active / 1000)
      },
    })
  }
}

/**
 * Turns a `monitorEventLoopDelay` histogram (which offers percentiles, not bucket counts) into counts
 * per Prometheus bucket. `percentiles` maps p (0..100) to the delay in nanoseconds that p% of the
 * samples did not exceed; a bucket holds `count × max{p : delay(p) ≤ bound}`. Exact at every
 * percentile the histogram reports, which is every halving of the tail, so close enough for
 * `histogram_quantile`. `offsetNs` is subtracted from every delay (the sampler's own resolution).
 *
 * Returns non-cumulative counts: one per bound, then one for everything above the last bound.
 */
export function bucketCountsFromPercentiles(
  percentiles: ReadonlyMap<number, number>,
  count: number,
  boundsSeconds: readonly number[],
  offsetNs: number,
): Float64Array {
  const counts = new Float64Array(boundsSeconds.length + 1)
  let previous = 0
  for (let bucket = 0; bucket < boundsSeconds.length; bucket++) {
    const limitNs = boundsSeconds[bucket]! * 1e9 + offsetNs
    let fraction = 0
    for (const [percentile, delayNs] of percentiles) {
      if (delayNs <= limitNs && percentile > fraction * 100) fraction = percentile / 100
    }
    const cumulative = Math.max(previous, Math.round(count * fraction))
    counts[bucket] = cumulative - previous
    previous = cumulative
  }
  counts[boundsSeconds.length] = count - previous
  return counts
}
