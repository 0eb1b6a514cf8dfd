import type { Aggregator } from 'prom-client'
import type { SeriesLabels } from './array-histogram.js'

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
 * and `_count` per series. `shared` keeps the series labels apart, as prom-client's own histogram
 * does for `registry.metrics()`; otherwise they are merged after `le`, as its `get()` does.
 */
export function histogramValues(histogram: HistogramView, shared: boolean): ExposedValue[] {
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
export function exposeHistogram(histogram: HistogramView): string {
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

/** prom-client's `getValueAsString`. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan'
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf'
  return `${value}`
}

/** prom-client's escaping of names and help texts. */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function escapeLabelValue(value: string): string {
  return escapeText(value).replace(/"/g, '\\"')
}
