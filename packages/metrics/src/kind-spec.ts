import type { Aggregator } from 'prom-client'
import type { EventSource, PrimitiveKind } from './primitive-shapes.js'

/**
 * One metric family read at scrape time from every tracked primitive of a kind, labelled by the
 * tracked `name`. Gauges take the current value; counters take a cumulative count the primitive
 * keeps (reading it costs the primitive nothing, unlike a listener on a hot event).
 */
export interface FamilySpec {
  /** The metric name after the prefix. */
  readonly name: string
  readonly help: string
  readonly type: 'gauge' | 'counter'
  /** How the cluster aggregator merges workers. @default 'sum' */
  readonly aggregator?: Aggregator
  /** The snapshot field to read (a number, or a boolean exposed as 0/1). */
  readonly field?: string
  /** Several fields as values of one extra label, e.g. `reason` → { queue_full: 'rejected' }. */
  readonly split?: { readonly label: string; readonly fields: Readonly<Record<string, string>> }
  /** Read `field` from counts this package keeps from the primitive's events, not from its stats. */
  readonly fromEvents?: boolean
}

/** A histogram fed by a primitive's events, one series per tracked name. */
export interface EventHistogramSpec {
  readonly name: string
  readonly help: string
  readonly buckets: readonly number[]
}

/** Where event listeners put what they see. */
export interface EventSink {
  /** A function counting values into this primitive's series of the named histogram. */
  histogram(name: string): (value: unknown) => void
  /** Adds one to an event count, exposed by families with `fromEvents`. */
  count(field: string): void
}

/** Everything `track()` knows about one kind of primitive. */
export interface KindSpec {
  readonly kind: PrimitiveKind
  readonly families: readonly FamilySpec[]
  readonly histograms?: readonly EventHistogramSpec[]
  /** Subscribes to the primitive's events; returns the function that detaches every listener. */
  readonly listen?: (source: EventSource, sink: EventSink) => () => void
}
