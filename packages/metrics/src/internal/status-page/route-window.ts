/**
 * The status page's view of the request histogram: per route (method and template) the requests
 * and their percentiles over the last few snapshots, requests per status class, and the request
 * rate of each snapshot. Everything is a difference of the histogram's cumulative counts, so it
 * adds nothing to the request path; series are folded into routes once, by label object.
 */
import type { ArrayHistogram, SeriesLabels } from '../exposition.js'

/** One row of the route table, as the page receives it. */
export interface RouteView {
  readonly method: string
  readonly route: string
  /** Requests per second over the window. */
  readonly rate: number
  /** Requests in the window. */
  readonly count: number
  /** Requests since the process started. */
  readonly total: number
  /** Estimated from the histogram buckets, in milliseconds; `null` without requests in the window. */
  readonly p50Ms: number | null
  readonly p99Ms: number | null
  /** 5xx answers in the window. */
  readonly errors: number
}

/** What the requests panel shows. */
export interface RequestsView {
  /** Requests per second over the window. */
  readonly rate: number
  readonly inFlight: number
  /** Requests per second over the window by status class, `1xx` to `5xx`. */
  readonly statuses: Readonly<Record<string, number>>
  /** The first bucket bound, in milliseconds: a percentile below it reads "< bound". */
  readonly firstBucketMs: number
  readonly windowSeconds: number
  /** The busiest routes first. */
  readonly routes: readonly RouteView[]
  /** Routes with requests that did not fit in the table. */
  readonly routesOmitted: number
}

/** Rows sent to the page at most; the busiest first. */
const maxRows = 100

interface Row {
  readonly method: string
  readonly route: string
  /** Cumulative bucket counts, then the 5xx count, as of this snapshot. */
  readonly current: Float64Array
  /** The same for the last `windowTicks + 1` snapshots, slot `tick % (windowTicks + 1)`. */
  readonly history: Float64Array
  /** The window's counts, reused. */
  readonly window: Float64Array
  windowCount: number
  total: number
}

interface SeriesInfo {
  readonly row: Row
  /** 1 to 5 for `1xx` to `5xx`, 0 for anything else. */
  readonly statusClass: number
}

/** Per-route windows over a request histogram. */
export class RouteWindow {
  readonly #histogram: ArrayHistogram
  readonly #windowTicks: number
  readonly #slots: number
  /** Bucket slots per series (bounds + the one above), then one for 5xx. */
  readonly #width: number
  readonly #rows = new Map<string, Row>()
  readonly #series = new Map<SeriesLabels, SeriesInfo>()
  readonly #bounds: readonly number[]
  /** Cumulative requests per status class, then the same per slot. */
  readonly #classes = new Float64Array(6)
  readonly #classHistory: Float64Array
  readonly #times: Float64Array
  #tick = -1
  #previousTotal = 0
  #previousErrors = 0
  /** Requests between the last two readings. */
  sincePrevious = 0
  /** 5xx answers between the last two readings. */
  errorsSincePrevious = 0
  #visit = (labels: SeriesLabels, counts: Float64Array): void => this.#add(labels, counts)

  constructor(histogram: ArrayHistogram, windowTicks: number) {
    this.#histogram = histogram
    this.#windowTicks = windowTicks
    this.#slots = windowTicks + 1
    this.#bounds = histogram.bounds
    this.#width = histogram.bounds.length + 2
    this.#classHistory = new Float64Array(6 * this.#slots)
    this.#times = new Float64Array(this.#slots)
  }

  /**
   * Reads the histogram as of `now` (milliseconds, any monotonic clock); the first reading is the
   * baseline of the window and of `sincePrevious`.
   */
  read(now: number): void {
    this.#tick++
    for (const row of this.#rows.values()) row.current.fill(0)
    this.#classes.fill(0)
    this.#histogram.forEachSeries(this.#visit)
    const slot = this.#tick % this.#slots
    let total = 0
    for (const row of this.#rows.values()) {
      row.history.set(row.current, slot * this.#width)
    }
    for (let index = 0; index < 6; index++) {
      this.#classHistory[slot * 6 + index] = this.#classes[index]!
      total += this.#classes[index]!
    }
    this.#times[slot] = now
    const errors = this.#classes[5]!
    this.sincePrevious = this.#tick === 0 ? 0 : total - this.#previousTotal
    this.errorsSincePrevious = this.#tick === 0 ? 0 : errors - this.#previousErrors
    this.#previousTotal = total
    this.#previousErrors = errors
  }

  /** The requests panel over the window ending at the latest reading. */
  view(inFlight: number): RequestsView {
    const slot = this.#tick % this.#slots
    const oldest = Math.max(0, this.#tick - this.#windowTicks) % this.#slots
    const seconds = Math.max(1e-3, (this.#times[slot]! - this.#times[oldest]!) / 1000)
    const width = this.#width
    const buckets = width - 1
    const rows: Row[] = []
    let omitted = 0
    for (const row of this.#rows.values()) {
      let count = 0
      let total = 0
      for (let index = 0; index < width; index++) {
        const value = row.current[index]! - row.history[oldest * width + index]!
        row.window[index] = value
        if (index < buckets) {
          count += value
          total += row.current[index]!
        }
      }
      row.windowCount = count
      row.total = total
      if (total > 0) rows.push(row)
    }
    rows.sort((a, b) => b.windowCount - a.windowCount || b.total - a.total)
    if (rows.length > maxRows) {
      omitted = rows.length - maxRows
      rows.length = maxRows
    }
    const statuses: Record<string, number> = {}
    let windowTotal = 0
    for (let index = 1; index < 6; index++) {
      const count = this.#classes[index]! - this.#classHistory[oldest * 6 + index]!
      statuses[`${index}xx`] = round(count / seconds)
      windowTotal += count
    }
    windowTotal += this.#classes[0]! - this.#classHistory[oldest * 6]!
    return {
      rate: round(windowTotal / seconds),
      inFlight,
      statuses,
      firstBucketMs: (this.#bounds[0] ?? 0) * 1000,
      windowSeconds: round(seconds),
      routes: rows.map((row) => ({
        method: row.method,
        route: row.route,
        rate: round(row.windowCount / seconds),
        count: row.windowCount,
        total: row.total,
        p50Ms: quantileMs(row.window, this.#bounds, row.windowCount, 0.5),
        p99Ms: quantileMs(row.window, this.#bounds, row.windowCount, 0.99),
        errors: row.window[buckets]!,
      })),
      routesOmitted: omitted,
    }
  }

  #add(labels: SeriesLabels, counts: Float64Array): void {
    const info = this.#series.get(labels) ?? this.#addSeries(labels)
    const current = info.row.current
    let count = 0
    for (let index = 0; index < counts.length; index++) {
      current[index]! += counts[index]!
      count += counts[index]!
    }
    if (info.statusClass === 5) current[counts.length]! += count
    this.#classes[info.statusClass]! += count
  }

  #addSeries(labels: SeriesLabels): SeriesInfo {
    const method = labels.method ?? ''
    const route = labels.route ?? ''
    const key = `${method} ${route}`
    let row = this.#rows.get(key)
    if (row === undefined) {
      row = {
        method,
        route,
        current: new Float64Array(this.#width),
        history: new Float64Array(this.#width * this.#slots),
        window: new Float64Array(this.#width),
        windowCount: 0,
        total: 0,
      }
      this.#rows.set(key, row)
    }
    const digit = (labels.status_code ?? '').charCodeAt(0) - 48
    const info = { row, statusClass: digit >= 1 && digit <= 5 ? digit : 0 }
    this.#series.set(labels, info)
    return info
  }
}

/**
 * The `q` quantile of bucketed counts in milliseconds, interpolated within its bucket the way
 * Prometheus' `histogram_quantile` does; past the last bound it is the last bound.
 */
export function quantileMs(
  counts: ArrayLike<number>,
  bounds: readonly number[],
  count: number,
  q: number,
): number | null {
  if (count <= 0) return null
  const rank = q * count
  let seen = 0
  for (let bucket = 0; bucket < bounds.length; bucket++) {
    const inBucket = counts[bucket]!
    if (seen + inBucket >= rank && inBucket > 0) {
      const lower = bucket === 0 ? 0 : bounds[bucket - 1]!
      const upper = bounds[bucket]!
      return round((lower + (upper - lower) * ((rank - seen) / inBucket)) * 1000)
    }
    seen += inBucket
  }
  return round((bounds[bounds.length - 1] ?? 0) * 1000)
}

/** Three significant decimals are all a page shows; shorter JSON. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000
}
