import { Counter } from 'prom-client'
import { ArrayHistogram } from './array-histogram.js'
import { batcherKind } from './batcher-families.js'
import { cacheKind } from './cache-families.js'
import { AlreadyTrackedError, describeValue } from './errors.js'
import { isEventSource } from './event-subscription.js'
import { guardKind } from './guard-families.js'
import type { KindSpec } from './kind-spec.js'
import { limiterKind } from './limiter-families.js'
import type { MetricRegistrations } from './metric-registration.js'
import { poolKind } from './pool-families.js'
import type { PrimitiveKind, TrackablePrimitive } from './primitive-shapes.js'
import { recognisePrimitive } from './recognise-primitive.js'
import { createFamily } from './scrape-family.js'
import { queueKind, supervisorKind } from './task-families.js'
import { TrackedEntry } from './tracked-entry.js'

/** Options of `metrics.track()`. */
export interface TrackOptions {
  /**
   * The `name` label of this primitive's series; unique per kind of primitive.
   *
   * @default the primitive's own `name` property, if it has one (a `CapacityLimiter` does)
   * @example metrics.track(limiter, { name: 'db' })
   */
  readonly name?: string
}

/** Stops tracking a primitive: detaches its listeners and drops its series. Idempotent. */
export type Untrack = () => void

const kinds: Readonly<Record<PrimitiveKind, KindSpec>> = {
  limiter: limiterKind,
  pool: poolKind,
  queue: queueKind,
  supervisor: supervisorKind,
  batcher: batcherKind,
  cache: cacheKind,
  guard: guardKind,
}

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

  /** Every event-fed histogram, for the fast exposition path. */
  get histograms(): ArrayHistogram[] {
    return [...this.#kinds.values()].flatMap((state) => [...state.histograms.values()])
  }

  track(primitive: TrackablePrimitive, options: TrackOptions | undefined): Untrack {
    const recognised = recognisePrimitive(primitive)
    const name = trackName(primitive, options)
    if (this.#tracked.has(primitive)) throw new AlreadyTrackedError(recognised.label, name)
    const state = this.#kindState(recognised.kind)
    if (state.entries.has(name)) throw new AlreadyTrackedError(recognised.label, name)
    const entry = new TrackedEntry(
      recognised.kind,
      name,
      recognised.read,
      state.histograms,
      (failed) => this.#collectErrors.set(failed, (this.#collectErrors.get(failed) ?? 0) + 1),
    )
    if (state.spec.listen !== undefined && isEventSource(primitive)) {
      entry.detach = state.spec.listen(primitive, entry)
    }
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

  /** Untracks everything. */
  close(): void {
    for (const untrack of [...this.#tracked.values()]) untrack()
  }

  #kindState(kind: PrimitiveKind): KindState {
    const existing = this.#kinds.get(kind)
    if (existing !== undefined) return existing
    const spec = kinds[kind]
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
    this.#kinds.set(kind, state)
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

function trackName(primitive: TrackablePrimitive, options: TrackOptions | undefined): string {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`track() options must be an object, got ${describeValue(options)}`)
  }
  const name = options?.name ?? (primitive as { name?: unknown }).name
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(
      `track() needs a non-empty string name for the "name" label: pass { name }, got ${describeValue(name)}`,
    )
  }
  return name
}
