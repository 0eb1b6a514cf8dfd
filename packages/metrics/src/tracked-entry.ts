import type { ArrayHistogram } from './array-histogram.js'
import type { EventSink } from './kind-spec.js'
import type { PrimitiveKind } from './primitive-shapes.js'

/** Reports a primitive whose `stats()` threw at scrape time. */
export type CollectErrorHandler = (entry: TrackedEntry, error: unknown) => void

/**
 * One tracked primitive: its name, the counts kept from its events, its series in event-fed
 * histograms, and a snapshot of its stats shared by every family of one scrape.
 */
export class TrackedEntry implements EventSink {
  readonly kind: PrimitiveKind
  readonly name: string
  /** Counts kept from events, read by families with `fromEvents`. */
  readonly events: Record<string, number> = {}
  /** Series of this primitive in the kind's event-fed histograms. */
  readonly series = new Map<ArrayHistogram, number>()
  /** Detaches the event listeners; set once subscribed. */
  detach: () => void = () => {}
  readonly #read: () => Record<string, unknown>
  readonly #onError: CollectErrorHandler
  readonly #histograms: ReadonlyMap<string, ArrayHistogram>
  #snapshot: Record<string, unknown> | undefined
  #fresh = false
  readonly #expire = (): void => {
    this.#fresh = false
    this.#snapshot = undefined
  }

  constructor(
    kind: PrimitiveKind,
    name: string,
    read: () => Record<string, unknown>,
    histograms: ReadonlyMap<string, ArrayHistogram>,
    onError: CollectErrorHandler,
  ) {
    this.kind = kind
    this.name = name
    this.#read = read
    this.#histograms = histograms
    this.#onError = onError
    for (const histogram of histograms.values()) {
      this.series.set(histogram, histogram.addSeries(Object.freeze({ name })))
    }
  }

  /**
   * The primitive's stats, read once per scrape: a registry collects every family in one
   * synchronous pass, so the snapshot expires at the next microtask. `undefined` if `stats()` threw
   * (counted, never rethrown: a scrape must not fail because one primitive did).
   */
  snapshot(): Record<string, unknown> | undefined {
    if (this.#fresh) return this.#snapshot
    this.#fresh = true
    queueMicrotask(this.#expire)
    try {
      const snapshot = this.#read()
      this.#snapshot = typeof snapshot === 'object' && snapshot !== null ? snapshot : undefined
    } catch (error) {
      this.#snapshot = undefined
      this.#onError(this, error)
    }
    return this.#snapshot
  }

  histogram(name: string): (value: unknown) => void {
    const histogram = this.#histograms.get(name)!
    const series = this.series.get(histogram)!
    return (value) => {
      // A malformed event must not throw into the primitive's own emit.
      if (typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY) {
        histogram.observe(series, value)
      }
    }
  }

  count(field: string): void {
    this.events[field] = (this.events[field] ?? 0) + 1
  }

  /** Drops this primitive's histogram series and listeners. */
  release(): void {
    this.detach()
    for (const [histogram, series] of this.series) histogram.removeSeries(series)
  }
}
