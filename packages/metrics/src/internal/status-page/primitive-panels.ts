/**
 * The status page's panels of tracked primitives: which `stats()` fields each kind shows, read
 * once per snapshot as numbers only (a primitive's own strings never reach the page, except its
 * tracked name and the guard's reason from a fixed list), and counters turned into rates over the
 * window.
 */
import type { PrimitiveKind } from '../../types.js'
import type { PrimitiveTracker, Snapshot, TrackedEntry } from '../track.js'
import { round } from './route-window.js'

/** What one kind shows: current values, and cumulative counts shown with their rate. */
interface PanelSpec {
  /** Fields read as they are; `a.b` reads a nested field (the pool's `runTime.p99`). */
  readonly gauges: readonly string[]
  readonly counters: readonly string[]
  /** The fields of the panel's sparkline: what runs and what waits. */
  readonly running: string
  readonly waiting: string
}

const specs: Readonly<Record<PrimitiveKind, PanelSpec>> = {
  limiter: {
    gauges: ['borrowedTokens', 'totalTokens', 'waiting', 'maxWaiting'],
    counters: ['acquired', 'rejected', 'timedOut', 'aborted'],
    running: 'borrowedTokens',
    waiting: 'waiting',
  },
  pool: {
    gauges: [
      'threads',
      'busy',
      'maxThreads',
      'running',
      'waiting',
      'utilization',
      'runTime.p50',
      'runTime.p99',
      'waitTime.p50',
      'waitTime.p99',
    ],
    counters: ['completed', 'failed', 'crashed'],
    running: 'running',
    waiting: 'waiting',
  },
  queue: {
    gauges: ['waiting', 'running', 'delayed', 'deadLetters'],
    counters: ['completed', 'failed', 'retried'],
    running: 'running',
    waiting: 'waiting',
  },
  supervisor: {
    gauges: ['running', 'waiting'],
    counters: ['started', 'succeeded', 'failed', 'aborted'],
    running: 'running',
    waiting: 'waiting',
  },
  batcher: {
    gauges: ['waiting', 'running', 'meanBatchSize', 'largestBatch', 'meanWaitMs', 'longestWaitMs'],
    counters: ['batches', 'keys', 'failedBatches', 'rejectedLoads'],
    running: 'running',
    waiting: 'waiting',
  },
  cache: {
    gauges: ['size', 'running', 'waiting'],
    counters: ['hits', 'staleHits', 'misses', 'loads', 'loadErrors', 'evictions'],
    running: 'running',
    waiting: 'waiting',
  },
  guard: {
    gauges: ['overloaded', 'lastSample.eventLoopDelayMs', 'lastSample.eventLoopUtilization'],
    counters: ['shed'],
    running: 'overloaded',
    waiting: 'waiting',
  },
}

/** The guard's reasons the page may show; anything else is left out. */
const overloadReasons = new Set([
  'eventLoopDelay',
  'eventLoopUtilization',
  'heapUsedBytes',
  'rssBytes',
])

/** One panel as the page receives it. */
export interface PrimitiveView {
  /** `kind:name`, unique among the panels. */
  readonly id: string
  readonly kind: PrimitiveKind
  readonly name: string
  /** `false` when `stats()` threw: the panel says so and shows nothing else. */
  readonly ok: boolean
  /** Current values; `null` where the field is missing or not a finite number. */
  readonly gauges: Readonly<Record<string, number | null>>
  /** `[total, per second over the window]`. */
  readonly counters: Readonly<Record<string, readonly [number, number] | null>>
  /** Window-derived figures: the cache's hit ratio, the batcher's batch size. */
  readonly derived: Readonly<Record<string, number | null>>
  /** The guard's reason while overloaded. */
  readonly reason?: string
  /** When the guard last shed a request (`Date.now()`), if it did while the page was open. */
  readonly shedAt?: number | null
}

interface PanelState {
  readonly entry: TrackedEntry
  readonly spec: PanelSpec
  readonly id: string
  /** Counter values per slot, `counters.length` per slot. */
  readonly history: Float64Array
  readonly current: Float64Array
  readonly times: Float64Array
  readings: number
  shedAt: number | null
  /** The sparkline pair of the latest reading. */
  running: number
  waiting: number
}

/** Reads every tracked primitive once per snapshot and keeps its counters over the window. */
export class PrimitivePanels {
  readonly #tracker: PrimitiveTracker
  readonly #slots: number
  readonly #windowTicks: number
  #states = new Map<TrackedEntry, PanelState>()
  #next = new Map<TrackedEntry, PanelState>()
  #views: PrimitiveView[] = []

  constructor(tracker: PrimitiveTracker, windowTicks: number) {
    this.#tracker = tracker
    this.#windowTicks = windowTicks
    this.#slots = windowTicks + 1
  }

  /** Reads every tracked primitive; `now` is a monotonic time in ms, `wallClock` a `Date.now()`. */
  read(now: number, wallClock: number): readonly PrimitiveView[] {
    const views: PrimitiveView[] = []
    const next = this.#next
    this.#tracker.forEachEntry((entry) => {
      const state = this.#states.get(entry) ?? this.#newState(entry)
      next.set(entry, state)
      views.push(this.#readOne(state, now, wallClock))
    })
    // Untracked primitives drop out; the maps swap so no map is allocated per snapshot.
    this.#next = this.#states
    this.#next.clear()
    this.#states = next
    this.#views = views
    return views
  }

  /** The sparkline pairs of the latest reading, by panel id. */
  sparklines(): Record<string, [number, number]> {
    const pairs: Record<string, [number, number]> = {}
    for (const state of this.#states.values()) pairs[state.id] = [state.running, state.waiting]
    return pairs
  }

  /** The views of the latest reading. */
  get views(): readonly PrimitiveView[] {
    return this.#views
  }

  #newState(entry: TrackedEntry): PanelState {
    const spec = specs[entry.kind]
    return {
      entry,
      spec,
      id: `${entry.kind}:${entry.name}`,
      history: new Float64Array(spec.counters.length * this.#slots),
      current: new Float64Array(spec.counters.length),
      times: new Float64Array(this.#slots),
      readings: 0,
      shedAt: null,
      running: 0,
      waiting: 0,
    }
  }

  #readOne(state: PanelState, now: number, wallClock: number): PrimitiveView {
    const { entry, spec } = state
    const stats = entry.read()
    if (stats === undefined) {
      return {
        id: state.id,
        kind: entry.kind,
        name: entry.name,
        ok: false,
        gauges: {},
        counters: {},
        derived: {},
      }
    }
    const gauges: Record<string, number | null> = {}
    for (const field of spec.gauges) gauges[field] = numberAt(stats, field)
    const counterCount = spec.counters.length
    const slot = state.readings % this.#slots
    const oldest = Math.max(0, state.readings - this.#windowTicks) % this.#slots
    state.times[slot] = now
    const seconds = (now - state.times[oldest]!) / 1000
    const counters: Record<string, readonly [number, number] | null> = {}
    const previousShed = state.readings > 0 ? state.current[0]! : 0
    for (let index = 0; index < counterCount; index++) {
      const field = spec.counters[index]!
      const value = numberAt(stats, field)
      state.current[index] = value ?? 0
      state.history[slot * counterCount + index] = value ?? 0
      if (value === null) {
        counters[field] = null
        continue
      }
      const delta = value - state.history[oldest * counterCount + index]!
      counters[field] = [value, seconds > 0 ? round(Math.max(0, delta) / seconds) : 0]
    }
    const window = (field: string): number => {
      const index = spec.counters.indexOf(field)
      return state.current[index]! - state.history[oldest * counterCount + index]!
    }
    const derived: Record<string, number | null> = {}
    let reason: string | undefined
    if (entry.kind === 'cache') {
      const hits = window('hits') + window('staleHits')
      const lookups = hits + window('misses')
      derived.hitRatio = lookups > 0 ? round(hits / lookups) : null
    } else if (entry.kind === 'batcher') {
      const batches = window('batches')
      derived.batchSize = batches > 0 ? round(window('keys') / batches) : null
    } else if (entry.kind === 'guard') {
      if (state.readings > 0 && state.current[0]! > previousShed) state.shedAt = wallClock
      const given = stats.reason
      if (typeof given === 'string' && overloadReasons.has(given)) reason = given
    }
    state.running = gauges[spec.running] ?? 0
    state.waiting = gauges[spec.waiting] ?? numberAt(stats, spec.waiting) ?? 0
    state.readings++
    const view: PrimitiveView = {
      id: state.id,
      kind: entry.kind,
      name: entry.name,
      ok: true,
      gauges,
      counters,
      derived,
    }
    return entry.kind === 'guard' ? { ...view, reason, shedAt: state.shedAt } : view
  }
}

/** A finite number at `path` (`a` or `a.b`) of the stats, booleans as 0/1; `null` otherwise. */
function numberAt(stats: Snapshot, path: string): number | null {
  const dot = path.indexOf('.')
  let value: unknown
  if (dot === -1) value = stats[path]
  else {
    const parent = stats[path.slice(0, dot)]
    value =
      typeof parent === 'object' && parent !== null
        ? (parent as Record<string, unknown>)[path.slice(dot + 1)]
        : undefined
  }
  if (typeof value === 'boolean') return value ? 1 : 0
  return typeof value === 'number' && Number.isFinite(value) ? round(value) : null
}
