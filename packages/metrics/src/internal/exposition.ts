/**
 * How this package's metrics reach a scrape: the typed-array histogram behind the request and
 * event-fed histograms, its samples in the registry's format, its text exposition with cached line
 * starts, and `render()`, which prints a registry with that shortcut.
 */
import { type Aggregator, Registry } from 'prom-client'

/** The label values of one series, in exposition order. */
export type SeriesLabels = Readonly<Record<string, string>>

/** One sample as a prom-client registry reads it from a metric's `get()`. */
export interface ExposedValue {
  value: number
  labels: Record<string, string | number>
  /** Labels the registry prints after `labels` and formats once per object (its own label cache). */
  sharedLabels?: SeriesLabels
  metricName?: string
}

/** A metric as a prom-client registry reads it from `get()`. */
export interface ExposedMetric {
  name: string
  help: string
  type: 'histogram' | 'gauge' | 'counter'
  aggregator: Aggregator
  values: ExposedValue[]
}

/** Receives one series: its labels, its non-cumulative bucket counts and its sum. */
export type SeriesVisitor = (labels: SeriesLabels, counts: Float64Array, sum: number) => void

/**
 * A Prometheus histogram whose counts live in typed arrays indexed by a series number that the
 * caller resolves once and caches, handed to a prom-client registry at scrape time through the
 * registry's metric contract (`name`, `help`, `type`, `aggregator`, `get()`, `reset()`), so
 * `registry.metrics()`, `getMetricsAsJSON()` and the cluster aggregator see a standard histogram.
 *
 * Observing is a bucket search and two typed-array increments: no label hashing and no key string
 * per observation, since the request path pays it on every request (see bench/).
 */
export class ArrayHistogram {
  readonly name: string
  readonly help: string
  readonly type = 'histogram' as const
  readonly aggregator = 'sum' as const
  /** Upper bounds in ascending order; +Inf is implicit. */
  readonly bounds: readonly number[]
  readonly #upperBounds: Float64Array
  /** Slots per series: one per bound plus one above the last bound. */
  readonly #width: number
  #counts: Float64Array
  #sums: Float64Array
  readonly #labels: (SeriesLabels | undefined)[] = []
  readonly #beforeRead: (() => void) | undefined

  /** `beforeRead` runs before every read of the counts, for histograms filled at scrape time. */
  constructor(name: string, help: string, bounds: readonly number[], beforeRead?: () => void) {
    this.name = name
    this.help = help
    this.#beforeRead = beforeRead
    this.bounds = bounds
    this.#upperBounds = Float64Array.from(bounds)
    this.#width = bounds.length + 1
    this.#counts = new Float64Array(this.#width * 16)
    this.#sums = new Float64Array(16)
  }

  /** Adds a series with these label values and returns its number for `observe`. */
  addSeries(labels: SeriesLabels): number {
    const series = this.#labels.length
    if (series >= this.#sums.length) this.#grow(this.#sums.length * 2)
    this.#labels.push(labels)
    return series
  }

  /** Drops a series from the exposition; its number is never reused. */
  removeSeries(series: number): void {
    this.#labels[series] = undefined
  }

  /** Counts one value in a series: a bucket search over a few doubles, no allocation. */
  observe(series: number, value: number): void {
    const upperBounds = this.#upperBounds
    const last = upperBounds.length
    let bucket = 0
    while (bucket < last && value > upperBounds[bucket]!) bucket++
    this.#counts[series * this.#width + bucket]! += 1
    this.#sums[series]! += value
  }

  /** Adds whole bucket counts at once (`counts[i]` values fell in bucket i, the last above every bound). */
  add(series: number, counts: ArrayLike<number>, sum: number): void {
    const offset = series * this.#width
    for (let bucket = 0; bucket < this.#width; bucket++) {
      this.#counts[offset + bucket]! += counts[bucket] ?? 0
    }
    this.#sums[series]! += sum
  }

  /** The registry's `resetMetrics()` contract: zero every count, keep the series. */
  reset(): void {
    this.#counts.fill(0)
    this.#sums.fill(0)
  }

  /** Calls `visit` for every live series with its non-cumulative counts. */
  forEachSeries(visit: SeriesVisitor): void {
    this.#beforeRead?.()
    for (let series = 0; series < this.#labels.length; series++) {
      const labels = this.#labels[series]
      if (labels === undefined) continue
      const offset = series * this.#width
      visit(labels, this.#counts.subarray(offset, offset + this.#width), this.#sums[series]!)
    }
  }

  /** The registry contract used by `getMetricsAsJSON()` and the cluster aggregator. */
  async get(): Promise<ExposedMetric> {
    return this.#metricObject(histogramValues(this, false))
  }

  /** The registry contract used by `registry.metrics()`: label sets kept apart for its label cache. */
  async getForPromString(): Promise<ExposedMetric> {
    return this.#metricObject(histogramValues(this, true))
  }

  /** This histogram in Prometheus text format, exactly as `registry.metrics()` would print it. */
  exposition(): string {
    return exposeHistogram(this)
  }

  #metricObject(values: ExposedValue[]): ExposedMetric {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    }
  }

  #grow(capacity: number): void {
    const counts = new Float64Array(capacity * this.#width)
    counts.set(this.#counts)
    const sums = new Float64Array(capacity)
    sums.set(this.#sums)
    this.#counts = counts
    this.#sums = sums
  }
}

/**
 * The registry's exposition, byte for byte what `registry.metrics()` returns, with this package's
 * histograms printed from their cached line starts instead of through the registry's per-line
 * label formatting (the bulk of a scrape: 14 lines per request series). Falls back to
 * `registry.metrics()` where that shortcut could differ: OpenMetrics output, or default labels.
 */
export async function renderRegistry(registry: Registry): Promise<string> {
  if (!canPrintDirectly(registry)) return registry.metrics()
  // One synchronous pass, like the registry's own: every collect of one scrape sees the same snapshots.
  const parts = registry
    .getMetricsAsArray()
    .map((metric: object) =>
      metric instanceof ArrayHistogram
        ? metric.exposition()
        : registry.getSingleMetricAsString((metric as { name: string }).name),
    )
  return `${(await Promise.all(parts)).join('\n\n')}\n`
}

function canPrintDirectly(registry: Registry): boolean {
  if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return false
  // The registry keeps default labels in a field it does not expose; if it is not there as an empty
  // object we cannot prove there are none, so the registry prints.
  const defaultLabels = (registry as unknown as { _defaultLabels?: unknown })._defaultLabels
  return (
    typeof defaultLabels === 'object' &&
    defaultLabels !== null &&
    Object.keys(defaultLabels).length === 0
  )
}

/** What exposition needs from a histogram. */
interface HistogramView {
  readonly name: string
  readonly help: string
  readonly bounds: readonly number[]
  forEachSeries(visit: SeriesVisitor): void
}

const infinity = Object.freeze({ le: '+Inf' })
const none = Object.freeze({})

/**
 * The histogram's samples in the registry's format: cumulative `_bucket` samples, `+Inf`, `_sum`
 * and `_count` per series. `shared` keeps the series labels apart, as the registry's own histogram
 * does for `registry.metrics()`; otherwise they are merged after `le`, as its `get()` does.
 */
function histogramValues(histogram: HistogramView, shared: boolean): ExposedValue[] {
  const { name, bounds } = histogram
  const bucketName = `${name}_bucket`
  const leLabels = bounds.map((le) => ({ le }))
  const values: ExposedValue[] = []
  const sample = (
    metricName: string,
    labels: Record<string, string | number>,
    series: SeriesLabels,
    value: number,
  ): ExposedValue =>
    shared
      ? { labels, sharedLabels: series, value, metricName }
      : { labels: { ...labels, ...series }, value, metricName }
  histogram.forEachSeries((labels, counts, sum) => {
    let cumulative = 0
    for (let bucket = 0; bucket < bounds.length; bucket++) {
      cumulative += counts[bucket]!
      values.push(sample(bucketName, leLabels[bucket]!, labels, cumulative))
    }
    cumulative += counts[bounds.length]!
    values.push(sample(bucketName, infinity, labels, cumulative))
    values.push(sample(`${name}_sum`, none, labels, sum))
    values.push(sample(`${name}_count`, none, labels, cumulative))
  })
  return values
}

/** Line starts per series (`name_bucket{le="0.1",route="/a"} `), built once per label set. */
const lineStarts = new WeakMap<SeriesLabels, string[]>()

/**
 * The histogram in Prometheus text format, byte for byte what `registry.metrics()` prints for it,
 * but with each line's name and labels formatted once per series instead of once per scrape.
 */
function exposeHistogram(histogram: HistogramView): string {
  const { bounds } = histogram
  const name = escapeText(histogram.name)
  let text = `# HELP ${name} ${escapeText(histogram.help)}\n# TYPE ${name} histogram`
  histogram.forEachSeries((labels, counts, sum) => {
    let starts = lineStarts.get(labels)
    if (starts === undefined) {
      starts = buildLineStarts(name, bounds, labels)
      lineStarts.set(labels, starts)
    }
    let cumulative = 0
    for (let bucket = 0; bucket <= bounds.length; bucket++) {
      cumulative += counts[bucket]!
      text += `\n${starts[bucket]}${formatValue(cumulative)}`
    }
    text += `\n${starts[bounds.length + 1]}${formatValue(sum)}`
    text += `\n${starts[bounds.length + 2]}${formatValue(cumulative)}`
  })
  return text
}

function buildLineStarts(name: string, bounds: readonly number[], labels: SeriesLabels): string[] {
  const pairs = Object.entries(labels)
    .map(([label, value]) => `${label}="${escapeLabelValue(value)}"`)
    .join(',')
  const tail = pairs === '' ? '' : `,${pairs}`
  const starts = bounds.map((le) => `${name}_bucket{le="${le}"${tail}} `)
  starts.push(`${name}_bucket{le="+Inf"${tail}} `)
  const own = pairs === '' ? '' : `{${pairs}}`
  starts.push(`${name}_sum${own} `, `${name}_count${own} `)
  return starts
}

/** A sample value as the registry prints it. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan'
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf'
  return `${value}`
}

/** The registry's escaping of names and help texts. */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function escapeLabelValue(value: string): string {
  return escapeText(value).replace(/"/g, '\\"')
}
