/**
 * Primitive tracking, the whole of `metrics.track()`: what each kind of loopwork primitive looks
 * like and which metric families it feeds, how a primitive is recognised by its shape, how its
 * stats are read once per scrape, how its events are subscribed to and let go again, and the
 * families registered per kind on first use.
 *
 * Gauges and counters are read from `stats()` at scrape time through prom-client `collect`, so
 * tracking adds nothing to a primitive's hot path; events are subscribed to only where a
 * distribution or a count exists as an event alone (pool task times and thread churn, batch sizes).
 */
import { describeValue } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { type Aggregator, Counter, Gauge } from 'prom-client'
import { AlreadyTrackedError, UnrecognisedPrimitiveError } from '../errors.js'
import {
  BATCH_SIZE_BUCKETS,
  DEFAULT_REQUEST_BUCKETS,
  type EventSource,
  type PrimitiveKind,
  type TrackablePrimitive,
  type TrackOptions,
  type Untrack,
} from '../types.js'
import { ArrayHistogram } from './exposition.js'
import type { MetricRegistrations } from './registration.js'

// ---------------------------------------------------------------------------------------------
// What a kind of primitive looks like and what it exports
// ---------------------------------------------------------------------------------------------

/**
 * One metric family read at scrape time from every tracked primitive of a kind, labelled by the
 * tracked `name`. Gauges take the current value; counters take a cumulative count the primitive
 * keeps (reading it costs the primitive nothing, unlike a listener on a hot event).
 */
interface FamilySpec {
  /** The metric name after the prefix. */
  readonly name: string
  readonly help: string
  readonly type: 'gauge' | 'counter'
  /** How the cluster aggregator merges workers. @default 'sum' */
  readonly aggregator?: Aggregator
  /** The stats field to read (a number, or a boolean exposed as 0/1). */
  readonly field?: string
  /** Several fields as values of one extra label, e.g. `reason` → { queue_full: 'rejected' }. */
  readonly split?: { readonly label: string; readonly fields: Readonly<Record<string, string>> }
  /** Read `field` from counts kept from the primitive's events, not from its stats. */
  readonly fromEvents?: boolean
}

/** A histogram fed by one field of a primitive's event, one series per tracked name. */
interface EventHistogramSpec {
  readonly name: string
  readonly help: string
  readonly buckets: readonly number[]
  /** The event whose object carries the value. */
  readonly event: string
  /** The field of the event object that is observed. */
  readonly field: string
  /** The field is in milliseconds and the histogram in seconds. */
  readonly inMilliseconds?: boolean
}

/** A listener on one of a primitive's events. */
type Listener = (...args: any[]) => void

/** Where event listeners put what they see. */
interface EventSink {
  /** A listener for `spec.event` observing its field into this primitive's series of the histogram. */
  observer(spec: EventHistogramSpec): (event?: unknown) => void
  /** Adds one to an event count, exposed by families with `fromEvents`. */
  count(field: string): void
}

/** Everything `track()` knows about one kind of primitive. */
interface KindSpec {
  readonly kind: PrimitiveKind
  /** The class name, for messages. */
  readonly label: string
  /** The `stats()` fields that must be numbers for an object to be recognised as this kind. */
  readonly numbers: readonly string[]
  /** The `stats()` fields that must be booleans. */
  readonly booleans?: readonly string[]
  /** A method the primitive must have besides `stats()`. */
  readonly alsoHas?: string
  readonly families: readonly FamilySpec[]
  readonly histograms?: readonly EventHistogramSpec[]
  /** Listeners by event that keep the counts read by families with `fromEvents`. */
  readonly eventCounts?: (sink: EventSink) => Readonly<Record<string, Listener>>
}

/** A `CapacityLimiter`: read from `stats()` at scrape time, no listener on its hot events. */
const limiterKind: KindSpec = {
  kind: 'limiter',
  label: 'CapacityLimiter',
  numbers: ['totalTokens', 'borrowedTokens', 'waiting', 'maxWaiting', 'acquired', 'rejected'],
  families: [
    {
      name: 'limiter_tokens',
      help: 'Tokens in total: how many calls may run at once.',
      type: 'gauge',
      field: 'totalTokens',
    },
    {
      name: 'limiter_tokens_borrowed',
      help: 'Tokens borrowed right now: calls running.',
      type: 'gauge',
      field: 'borrowedTokens',
    },
    {
      name: 'limiter_waiting',
      help: 'Callers waiting for a token.',
      type: 'gauge',
      field: 'waiting',
    },
    {
      name: 'limiter_max_waiting',
      help: 'The bound on waiting callers; past it callers are shed.',
      type: 'gauge',
      field: 'maxWaiting',
    },
    {
      name: 'limiter_acquired_total',
      help: 'Tokens handed out.',
      type: 'counter',
      field: 'acquired',
    },
    {
      name: 'limiter_rejected_total',
      help: 'Callers that got no token, by reason: shed (queue_full), timed out, aborted.',
      type: 'counter',
      split: {
        label: 'reason',
        fields: { queue_full: 'rejected', timeout: 'timedOut', abort: 'aborted' },
      },
    },
  ],
}

/** An overload guard from `createOverloadGuard()`. */
const guardKind: KindSpec = {
  kind: 'guard',
  label: 'OverloadGuard',
  numbers: ['shed'],
  booleans: ['overloaded'],
  alsoHas: 'check',
  families: [
    {
      name: 'overload_active',
      help: '1 while the guard judges the process overloaded.',
      type: 'gauge',
      field: 'overloaded',
    },
    {
      name: 'overload_shed_total',
      help: 'Checks answered "overloaded" (requests an adapter shed with 503).',
      type: 'counter',
      field: 'shed',
    },
  ],
}

/** Exit reasons of `@loopwork/thread-offload`; anything else counts as `other`, so the label stays bounded. */
const exitReasons = [
  'idle',
  'crash',
  'abort',
  'timeout',
  'close',
  'startup-failure',
  'other',
] as const

/**
 * A `WorkerPool`: gauges and counts from `stats()` at scrape time; task run and wait times from
 * `taskEnd` events (percentiles cannot be aggregated across instances, a histogram can).
 */
const poolKind: KindSpec = {
  kind: 'pool',
  label: 'WorkerPool',
  numbers: ['threads', 'busy', 'waiting', 'completed', 'failed'],
  families: [
    { name: 'pool_threads', help: 'Worker threads alive.', type: 'gauge', field: 'threads' },
    {
      name: 'pool_threads_busy',
      help: 'Worker threads running a task.',
      type: 'gauge',
      field: 'busy',
    },
    { name: 'pool_queued', help: 'Tasks waiting for a thread.', type: 'gauge', field: 'waiting' },
    {
      name: 'pool_utilization',
      help: 'Share of thread time spent running tasks (0..1).',
      type: 'gauge',
      field: 'utilization',
      aggregator: 'average',
    },
    {
      name: 'pool_tasks_completed_total',
      help: 'Tasks that completed.',
      type: 'counter',
      field: 'completed',
    },
    {
      name: 'pool_tasks_failed_total',
      help: 'Tasks that failed.',
      type: 'counter',
      field: 'failed',
    },
    {
      name: 'pool_thread_spawns_total',
      help: 'Worker threads started.',
      type: 'counter',
      field: 'threadSpawns',
      fromEvents: true,
    },
    {
      name: 'pool_thread_exits_total',
      help: 'Worker threads that exited, by reason (idle exits are normal scale-down, crashes are not).',
      type: 'counter',
      fromEvents: true,
      split: {
        label: 'reason',
        fields: Object.fromEntries(exitReasons.map((reason) => [reason, `threadExits:${reason}`])),
      },
    },
  ],
  histograms: [
    {
      name: 'pool_task_duration_seconds',
      help: 'Time tasks ran on a worker thread.',
      buckets: DEFAULT_REQUEST_BUCKETS,
      event: 'taskEnd',
      field: 'durationMs',
      inMilliseconds: true,
    },
    {
      name: 'pool_task_wait_seconds',
      help: 'Time tasks waited for a worker thread.',
      buckets: DEFAULT_REQUEST_BUCKETS,
      event: 'taskEnd',
      field: 'waitMs',
      inMilliseconds: true,
    },
  ],
  eventCounts: (sink) => ({
    threadSpawn: () => sink.count('threadSpawns'),
    threadExit: (event?: { reason?: unknown }) =>
      sink.count(`threadExits:${exitReason(event?.reason)}`),
  }),
}

function exitReason(reason: unknown): string {
  return typeof reason === 'string' && (exitReasons as readonly string[]).includes(reason)
    ? reason
    : 'other'
}

/** A `Batcher`: counts from `stats()` at scrape time, batch sizes and durations from `batch` events. */
const batcherKind: KindSpec = {
  kind: 'batcher',
  label: 'Batcher',
  numbers: ['batches', 'keys', 'waiting', 'running'],
  families: [
    {
      name: 'batcher_batches_total',
      help: 'Batches dispatched.',
      type: 'counter',
      field: 'batches',
    },
    {
      name: 'batcher_keys_total',
      help: 'Keys loaded through batches.',
      type: 'counter',
      field: 'keys',
    },
    {
      name: 'batcher_pending_keys',
      help: 'Keys waiting for the next batch.',
      type: 'gauge',
      field: 'waiting',
    },
    {
      name: 'batcher_batches_in_flight',
      help: 'Batches running.',
      type: 'gauge',
      field: 'running',
    },
    // Read when the batcher reports them (@loopwork/batcher does); skipped otherwise.
    {
      name: 'batcher_failed_batches_total',
      help: 'Batches whose batch function failed as a whole.',
      type: 'counter',
      field: 'failedBatches',
    },
    {
      name: 'batcher_rejected_loads_total',
      help: 'Loads shed because too many keys were pending.',
      type: 'counter',
      field: 'rejectedLoads',
    },
  ],
  histograms: [
    {
      name: 'batcher_batch_size',
      help: 'Keys per batch.',
      buckets: BATCH_SIZE_BUCKETS,
      event: 'batch',
      field: 'size',
    },
    {
      name: 'batcher_batch_duration_seconds',
      help: 'Time a batch function took.',
      buckets: DEFAULT_REQUEST_BUCKETS,
      event: 'batch',
      field: 'durationMs',
      inMilliseconds: true,
    },
  ],
}

/** A `TtlCache`: counts from `stats()` at scrape time, no listener on the hit path. */
const cacheKind: KindSpec = {
  kind: 'cache',
  label: 'TtlCache',
  numbers: ['hits', 'misses', 'staleHits', 'loads', 'loadErrors', 'evictions', 'size'],
  families: [
    {
      name: 'cache_hits_total',
      help: 'Lookups answered with a fresh entry.',
      type: 'counter',
      field: 'hits',
    },
    {
      name: 'cache_misses_total',
      help: 'Lookups that found no usable entry.',
      type: 'counter',
      field: 'misses',
    },
    {
      name: 'cache_stale_hits_total',
      help: 'Lookups answered with a stale entry while it refreshed.',
      type: 'counter',
      field: 'staleHits',
    },
    {
      name: 'cache_loads_total',
      help: 'Loader calls (stampedes coalesced into one).',
      type: 'counter',
      field: 'loads',
    },
    {
      name: 'cache_load_errors_total',
      help: 'Loader calls that failed.',
      type: 'counter',
      field: 'loadErrors',
    },
    {
      name: 'cache_evictions_total',
      help: 'Entries evicted.',
      type: 'counter',
      field: 'evictions',
    },
    { name: 'cache_entries', help: 'Entries held.', type: 'gauge', field: 'size' },
  ],
}

/** A `TaskQueue`: depth and counts from `stats()` at scrape time. */
const queueKind: KindSpec = {
  kind: 'queue',
  label: 'TaskQueue',
  numbers: ['waiting', 'running', 'completed', 'failed', 'retried', 'deadLetters'],
  families: [
    {
      name: 'queue_waiting',
      help: 'Jobs waiting to run (queue depth).',
      type: 'gauge',
      field: 'waiting',
    },
    { name: 'queue_active', help: 'Jobs running.', type: 'gauge', field: 'running' },
    {
      name: 'queue_delayed',
      help: 'Jobs scheduled for later (retries with backoff, delayed jobs).',
      type: 'gauge',
      field: 'delayed',
    },
    {
      name: 'queue_dead_letters',
      help: 'Jobs that exhausted their retries and were set aside.',
      type: 'gauge',
      field: 'deadLetters',
    },
    {
      name: 'queue_completed_total',
      help: 'Jobs that completed.',
      type: 'counter',
      field: 'completed',
    },
    {
      name: 'queue_failed_total',
      help: 'Jobs that failed for good.',
      type: 'counter',
      field: 'failed',
    },
    {
      name: 'queue_retries_total',
      help: 'Job attempts that failed and were retried.',
      type: 'counter',
      field: 'retried',
    },
  ],
}

/** A `TaskSupervisor`: counts from `stats()` at scrape time; its `fail` event is left alone. */
const supervisorKind: KindSpec = {
  kind: 'supervisor',
  label: 'TaskSupervisor',
  numbers: ['running', 'started', 'succeeded', 'failed', 'aborted'],
  families: [
    {
      name: 'background_tasks_active',
      help: 'Background tasks running.',
      type: 'gauge',
      field: 'running',
    },
    {
      name: 'background_tasks_started_total',
      help: 'Background tasks started.',
      type: 'counter',
      field: 'started',
    },
    {
      name: 'background_tasks_succeeded_total',
      help: 'Background tasks that succeeded.',
      type: 'counter',
      field: 'succeeded',
    },
    {
      name: 'background_tasks_failed_total',
      help: 'Background tasks that failed.',
      type: 'counter',
      field: 'failed',
    },
    {
      name: 'background_tasks_aborted_total',
      help: 'Background tasks aborted (shutdown, signal).',
      type: 'counter',
      field: 'aborted',
    },
  ],
}

/**
 * Every kind, in the order shapes are tried: most specific first. A guard has a boolean and a
 * `check()`; a TaskQueue's fields overlap a TaskSupervisor's (`running`, `failed`), so the queue,
 * which also needs `deadLetters` and `retried`, comes first.
 */
const kinds: readonly KindSpec[] = [
  limiterKind,
  guardKind,
  poolKind,
  batcherKind,
  cacheKind,
  queueKind,
  supervisorKind,
]

// ---------------------------------------------------------------------------------------------
// Recognising a primitive
// ---------------------------------------------------------------------------------------------

/** What a primitive's `stats()` returned. */
export type Snapshot = Record<string, unknown>

/** What `track()` recognised: the kind, a first snapshot, and how to read a fresh one. */
interface Recognised {
  readonly spec: KindSpec
  readonly first: Snapshot
  readonly read: () => Snapshot
}

/**
 * Recognises a loopwork primitive by its shape: calls its `stats()` once and checks the fields.
 * Throws `UnrecognisedPrimitiveError` naming every shape it knows otherwise.
 */
function recognise(primitive: unknown): Recognised {
  if (typeof primitive !== 'object' || primitive === null) {
    throw unrecognised(describeValue(primitive))
  }
  const target = primitive as Record<string, unknown>
  if (typeof target.stats !== 'function') {
    throw unrecognised(
      typeof target.statistics === 'function'
        ? 'an object with statistics() but no stats() (a limiter from before stats() replaced statistics(): upgrade @loopwork/limiter)'
        : 'an object without stats()',
    )
  }
  // Looked up at every read, like a method call on the primitive would be.
  const read = () => (target.stats as () => Snapshot).call(target)
  const first: unknown = read()
  if (typeof first !== 'object' || first === null) {
    throw unrecognised('an object with stats() returning no object')
  }
  const snapshot = first as Snapshot
  for (const spec of kinds) {
    if (spec.alsoHas !== undefined && typeof target[spec.alsoHas] !== 'function') continue
    if (matches(spec, snapshot)) return { spec, first: snapshot, read }
  }
  throw unrecognised(`an object with stats() returning { ${Object.keys(snapshot).join(', ')} }`)
}

function matches(spec: KindSpec, snapshot: Snapshot): boolean {
  return (
    spec.numbers.every((key) => typeof snapshot[key] === 'number') &&
    (spec.booleans ?? []).every((key) => typeof snapshot[key] === 'boolean')
  )
}

function unrecognised(got: string): UnrecognisedPrimitiveError {
  const expected = kinds
    .map((spec) => {
      const fields = [...spec.numbers, ...(spec.booleans ?? [])].join(', ')
      const method = spec.alsoHas === undefined ? '' : `, plus ${spec.alsoHas}()`
      return `${spec.label} (stats() returning ${fields}${method})`
    })
    .join('; ')
  return new UnrecognisedPrimitiveError(expected, got)
}

const trackOptions = { name: option.name }

/** The `name` label: the option, else the primitive's own name, else the name in its stats. */
function trackName(primitive: object, options: TrackOptions | undefined, first: Snapshot): string {
  if (options?.name !== undefined) return options.name
  const own = (primitive as { name?: unknown }).name ?? first.name
  if (typeof own === 'string' && own !== '') return own
  throw option.invalid(
    'track() options.name',
    own,
    'a non-empty string for the "name" label: pass { name }, since the primitive has no name of its own',
  )
}

// ---------------------------------------------------------------------------------------------
// One tracked primitive
// ---------------------------------------------------------------------------------------------

/** Reports a primitive whose `stats()` threw at scrape time. */
type CollectErrorHandler = (entry: TrackedEntry) => void

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
  readonly #read: () => Snapshot
  readonly #onError: CollectErrorHandler
  readonly #histograms: ReadonlyMap<string, ArrayHistogram>
  #snapshot: Snapshot | undefined
  #fresh = false
  readonly #expire = (): void => {
    this.#fresh = false
    this.#snapshot = undefined
  }

  constructor(
    kind: PrimitiveKind,
    name: string,
    read: () => Snapshot,
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
  snapshot(): Snapshot | undefined {
    if (this.#fresh) return this.#snapshot
    this.#fresh = true
    queueMicrotask(this.#expire)
    try {
      const snapshot = this.#read()
      this.#snapshot = typeof snapshot === 'object' && snapshot !== null ? snapshot : undefined
    } catch {
      this.#snapshot = undefined
      this.#onError(this)
    }
    return this.#snapshot
  }

  observer(spec: EventHistogramSpec): (event?: unknown) => void {
    const histogram = this.#histograms.get(spec.name)!
    const series = this.series.get(histogram)!
    const { field } = spec
    const divisor = spec.inMilliseconds === true ? 1000 : 1
    return (event) => {
      const value = (event as Readonly<Record<string, unknown>> | null | undefined)?.[field]
      // A malformed event must not throw into the primitive's own emit.
      if (typeof value === 'number' && value >= 0 && value < Number.POSITIVE_INFINITY) {
        histogram.observe(series, value / divisor)
      }
    }
  }

  count(field: string): void {
    this.events[field] = (this.events[field] ?? 0) + 1
  }

  /**
   * A fresh reading of the primitive's stats for the status page, `undefined` if `stats()` threw
   * or returned no object. Not counted as a scrape error: the page shows the failure itself.
   */
  read(): Snapshot | undefined {
    try {
      const snapshot = this.#read()
      return typeof snapshot === 'object' && snapshot !== null ? snapshot : undefined
    } catch {
      return undefined
    }
  }

  /** Drops this primitive's histogram series and listeners. */
  release(): void {
    this.detach()
    for (const [histogram, series] of this.series) histogram.removeSeries(series)
  }
}

/**
 * Subscribes a tracked primitive to the events its kind reads, with one listener per event that
 * feeds every histogram reading a field of it and keeps the event counts. Returns the function
 * that detaches them all.
 */
function listen(source: EventSource, spec: KindSpec, sink: EventSink): () => void {
  const handlers = new Map<string, Listener[]>()
  const handle = (event: string, handler: Listener): void => {
    handlers.set(event, [...(handlers.get(event) ?? []), handler])
  }
  for (const histogram of spec.histograms ?? []) handle(histogram.event, sink.observer(histogram))
  for (const [event, handler] of Object.entries(spec.eventCounts?.(sink) ?? {})) {
    handle(event, handler)
  }
  const listeners: Record<string, Listener> = {}
  for (const [event, list] of handlers) {
    listeners[event] = (payload?: unknown) => {
      for (const handler of list) handler(payload)
    }
  }
  return subscribe(source, listeners)
}

/**
 * Adds the listeners to `source` and returns the function that removes them all again (through
 * `off` or `removeListener`), so untracking leaves no listener behind.
 */
function subscribe(source: EventSource, listeners: Readonly<Record<string, Listener>>): () => void {
  const entries = Object.entries(listeners)
  for (const [event, listener] of entries) source.on(event, listener)
  return () => {
    const remove = source.off ?? source.removeListener
    if (remove === undefined) return
    for (const [event, listener] of entries) remove.call(source, event, listener)
  }
}

function isEventSource(value: unknown): value is EventSource {
  return typeof (value as EventSource | null)?.on === 'function'
}

// ---------------------------------------------------------------------------------------------
// Families read at scrape time
// ---------------------------------------------------------------------------------------------

type Family = Gauge<string> | Counter<string>

/**
 * A prom-client gauge or counter whose `collect` reads every tracked primitive of a kind at scrape
 * time. Counters are set from the primitive's cumulative count (reset, then incremented by it).
 * Values that are not numbers, and negative counts, are skipped rather than thrown at scrape time.
 */
function createFamily(
  spec: FamilySpec,
  prefix: string,
  entries: ReadonlyMap<string, TrackedEntry>,
): Family {
  const labelNames = spec.split === undefined ? ['name'] : ['name', spec.split.label]
  const configuration = {
    name: `${prefix}${spec.name}`,
    help: spec.help,
    labelNames,
    registers: [],
    aggregator: spec.aggregator ?? 'sum',
    collect(this: Family) {
      this.reset()
      for (const entry of entries.values()) collectEntry(this, spec, entry)
    },
  }
  return spec.type === 'gauge' ? new Gauge(configuration) : new Counter(configuration)
}

function collectEntry(family: Family, spec: FamilySpec, entry: TrackedEntry): void {
  const source = spec.fromEvents === true ? entry.events : entry.snapshot()
  if (source === undefined) return
  if (spec.split === undefined) {
    write(family, { name: entry.name }, source[spec.field!] ?? (spec.fromEvents ? 0 : undefined))
    return
  }
  for (const [labelValue, field] of Object.entries(spec.split.fields)) {
    write(family, { name: entry.name, [spec.split.label]: labelValue }, source[field])
  }
}

function write(family: Family, labels: Record<string, string>, raw: unknown): void {
  const value = typeof raw === 'boolean' ? Number(raw) : raw
  if (typeof value !== 'number' || Number.isNaN(value)) return
  if (family instanceof Gauge) {
    family.set(labels, value)
  } else if (value >= 0 && Number.isFinite(value)) {
    family.inc(labels, value)
  }
}

// ---------------------------------------------------------------------------------------------
// The tracker
// ---------------------------------------------------------------------------------------------

interface KindState {
  readonly spec: KindSpec
  readonly entries: Map<string, TrackedEntry>
  readonly histograms: Map<string, ArrayHistogram>
}

/** The tracked primitives of one `createMetrics`, with their metric families registered per kind on first use. */
export class PrimitiveTracker {
  readonly #registrations: MetricRegistrations
  readonly #prefix: string
  readonly #kinds = new Map<PrimitiveKind, KindState>()
  readonly #tracked = new Map<object, Untrack>()
  readonly #collectErrors = new Map<TrackedEntry, number>()
  #errorFamilyRegistered = false

  constructor(registrations: MetricRegistrations, prefix: string) {
    this.#registrations = registrations
    this.#prefix = prefix
  }

  /** `metrics.track()`: checks the options, recognises the primitive, subscribes and registers. */
  track(primitive: TrackablePrimitive, options: TrackOptions | undefined): Untrack {
    option.check('track() options', options, trackOptions)
    const { spec, first, read } = recognise(primitive)
    const name = trackName(primitive, options, first)
    if (this.#tracked.has(primitive)) throw new AlreadyTrackedError(spec.label, name)
    const state = this.#kindState(spec)
    if (state.entries.has(name)) throw new AlreadyTrackedError(spec.label, name)
    const entry = new TrackedEntry(spec.kind, name, read, state.histograms, (failed) =>
      this.#collectErrors.set(failed, (this.#collectErrors.get(failed) ?? 0) + 1),
    )
    if (isEventSource(primitive)) entry.detach = listen(primitive, spec, entry)
    state.entries.set(name, entry)
    let tracked = true
    const untrack: Untrack = () => {
      if (!tracked) return
      tracked = false
      entry.release()
      state.entries.delete(name)
      this.#collectErrors.delete(entry)
      this.#tracked.delete(primitive)
    }
    this.#tracked.set(primitive, untrack)
    return untrack
  }

  /** Calls `visit` with every tracked primitive, kind by kind in the order shapes are tried. */
  forEachEntry(visit: (entry: TrackedEntry) => void): void {
    for (const spec of kinds) {
      const state = this.#kinds.get(spec.kind)
      if (state !== undefined) for (const entry of state.entries.values()) visit(entry)
    }
  }

  /** Untracks everything. */
  close(): void {
    for (const untrack of [...this.#tracked.values()]) untrack()
  }

  #kindState(spec: KindSpec): KindState {
    const existing = this.#kinds.get(spec.kind)
    if (existing !== undefined) return existing
    const entries = new Map<string, TrackedEntry>()
    const histograms = new Map(
      (spec.histograms ?? []).map((histogram) => [
        histogram.name,
        new ArrayHistogram(`${this.#prefix}${histogram.name}`, histogram.help, histogram.buckets),
      ]),
    )
    const metrics = [
      ...spec.families.map((family) => createFamily(family, this.#prefix, entries)),
      ...histograms.values(),
    ]
    if (!this.#errorFamilyRegistered) metrics.push(this.#errorFamily())
    this.#registrations.registerAll(metrics)
    this.#errorFamilyRegistered = true
    const state = { spec, entries, histograms }
    this.#kinds.set(spec.kind, state)
    return state
  }

  #errorFamily(): Counter<string> {
    const errors = this.#collectErrors
    return new Counter({
      name: `${this.#prefix}metrics_collect_errors_total`,
      help: 'Scrapes at which a tracked primitive threw from stats(); its values were left out.',
      labelNames: ['kind', 'name'],
      registers: [],
      collect(this: Counter<string>) {
        this.reset()
        for (const [entry, count] of errors) this.inc({ kind: entry.kind, name: entry.name }, count)
      },
    })
  }
}
