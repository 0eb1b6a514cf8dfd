/**
 * The snapshots behind a status page: one unref'd timer, running only while someone watches,
 * reads the request histogram, the tracked primitives, the blocked-loop reports, the event loop
 * and the process; each snapshot is serialised once, whatever the number of viewers, and kept in a
 * bounded history that a newly opened page receives whole.
 */
import { startInterval } from '@loopwork/internal'
import type { MetricsSources } from './metrics-sources.js'
import { PrimitivePanels, type PrimitiveView } from './primitive-panels.js'
import { type LoopView, ProcessProbe, type ProcessView } from './process-view.js'
import { type RequestsView, RouteWindow, round } from './route-window.js'

/** How the sampler was configured. */
export interface SamplerSettings {
  readonly intervalMs: number
  readonly historyPoints: number
  readonly title: string
}

/** Snapshots in the window of rates and percentiles. */
export const windowTicks = 10

/**
 * The fields of each history point, in order: the page reads points as arrays, which keeps five
 * minutes of history small. The last field maps panel ids to `[running, waiting]`.
 */
export const pointFields = [
  'seq',
  'time',
  'loopP50Ms',
  'loopP99Ms',
  'loopMaxMs',
  'loopUtilization',
  'requests',
  'errors',
  'inFlight',
  'heapUsedBytes',
  'rssBytes',
  'cpu',
  'panels',
] as const

/** One blocked-loop report as the page shows it. */
export interface BlockView {
  readonly at: number
  readonly durationMs: number
  readonly inFlight: number
  readonly requests: readonly {
    readonly method: string | null
    readonly route: string | null
    readonly count: number
  }[]
}

/** What the page shows besides the history, as of the latest snapshot. */
export interface StatusState {
  readonly seq: number
  readonly time: number
  readonly title: string
  readonly intervalMs: number
  readonly pointFields: typeof pointFields
  readonly process: ProcessView
  readonly loop: LoopView
  readonly requests: RequestsView
  readonly blocks: {
    /** The detector's threshold, or `null` when `metrics.detectBlocking()` was not called. */
    readonly thresholdMs: number | null
    readonly count: number
    /** Newest first. */
    readonly recent: readonly BlockView[]
  }
  readonly primitives: readonly PrimitiveView[]
}

const noLoop: LoopView = { p50Ms: null, p99Ms: null, maxMs: null, utilization: null }

/** Takes snapshots while running; `onSnapshot` receives the JSON of each new one with its point. */
export class StatusSampler {
  readonly #sources: MetricsSources
  readonly #settings: SamplerSettings
  readonly #onSnapshot: (seq: number, payload: string) => void
  readonly #probe = new ProcessProbe()
  #routes: RouteWindow | undefined
  #panels: PrimitivePanels | undefined
  #timer: ReturnType<typeof setInterval> | undefined
  #lastTickAt = 0
  #seq = 0
  #state = ''
  readonly #points: string[] = []
  readonly #pointSeqs: number[] = []

  constructor(
    sources: MetricsSources,
    settings: SamplerSettings,
    onSnapshot: (seq: number, payload: string) => void,
  ) {
    this.#sources = sources
    this.#settings = settings
    this.#onSnapshot = onSnapshot
  }

  /** Whether the timer runs. */
  get running(): boolean {
    return this.#timer !== undefined
  }

  /** The number of the latest snapshot. */
  get seq(): number {
    return this.#seq
  }

  /** Starts sampling if it is not running: takes the baselines and a first state. */
  start(): void {
    if (this.#timer !== undefined) return
    const { recorder, tracker } = this.#sources
    this.#routes = new RouteWindow(recorder.histogram, windowTicks)
    this.#panels = new PrimitivePanels(tracker, windowTicks)
    this.#probe.start()
    const now = performance.now()
    this.#lastTickAt = now
    this.#routes.read(now)
    this.#panels.read(now, Date.now())
    this.#state = this.#stateJson(noLoop, this.#probe.process(0))
    this.#timer = startInterval(() => this.snapshot(), this.#settings.intervalMs)
  }

  /** Stops the timer and forgets the history. Idempotent. */
  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#probe.stop()
    this.#routes = undefined
    this.#panels = undefined
    this.#points.length = 0
    this.#pointSeqs.length = 0
  }

  /**
   * Takes one snapshot: reads everything, serialises the state and the point once, appends the
   * point to the history and hands the payload to `onSnapshot`. The timer calls it.
   */
  snapshot(): string {
    const routes = this.#routes
    const panels = this.#panels
    if (routes === undefined || panels === undefined) return ''
    const now = performance.now()
    const elapsedMs = now - this.#lastTickAt
    this.#lastTickAt = now
    const wallClock = Date.now()
    const loop = this.#probe.loop(elapsedMs - this.#settings.intervalMs)
    const processView = this.#probe.process(elapsedMs)
    routes.read(now)
    panels.read(now, wallClock)
    this.#seq++
    this.#state = this.#stateJson(loop, processView, wallClock)
    const seconds = elapsedMs / 1000
    const point = JSON.stringify([
      this.#seq,
      wallClock,
      loop.p50Ms,
      loop.p99Ms,
      loop.maxMs,
      loop.utilization,
      round(routes.sincePrevious / seconds),
      round(routes.errorsSincePrevious / seconds),
      this.#sources.recorder.inFlight,
      processView.heapUsedBytes,
      processView.rssBytes,
      processView.cpu,
      panels.sparklines(),
    ])
    this.#points.push(point)
    this.#pointSeqs.push(this.#seq)
    if (this.#points.length > this.#settings.historyPoints) {
      this.#points.shift()
      this.#pointSeqs.shift()
    }
    const payload = `{"state":${this.#state},"points":[${point}]}`
    this.#onSnapshot(this.#seq, payload)
    return payload
  }

  /** The latest state with every history point newer than snapshot `after` (all by default). */
  payload(after = -1): string {
    const seqs = this.#pointSeqs
    let first = seqs.length
    while (first > 0 && seqs[first - 1]! > after) first--
    const points = first === 0 ? this.#points : this.#points.slice(first)
    return `{"state":${this.#state},"points":[${points.join(',')}]}`
  }

  #stateJson(loop: LoopView, processView: ProcessView, wallClock = Date.now()): string {
    const { recorder, blocks } = this.#sources
    const unmeasured = recorder.unmeasuredRoutes
    const recent: BlockView[] = []
    for (let index = blocks.recent.length - 1; index >= 0; index--) {
      const report = blocks.recent[index]!
      recent.push({
        at: report.detectedAt,
        durationMs: round(report.durationMs),
        inFlight: report.inFlight,
        requests: report.requests
          .filter((group) => group.route === undefined || !unmeasured.has(group.route))
          .slice(0, 10)
          .map((group) => ({
            method: group.method ?? null,
            route: group.route ?? null,
            count: group.count,
          })),
      })
    }
    const detector = this.#sources.detector()
    const state: StatusState = {
      seq: this.#seq,
      time: wallClock,
      title: this.#settings.title,
      intervalMs: this.#settings.intervalMs,
      pointFields,
      process: processView,
      loop,
      requests: this.#routes!.view(recorder.inFlight),
      blocks: {
        thresholdMs: detector === undefined || detector.closed ? null : detector.thresholdMs,
        count: blocks.count,
        recent,
      },
      primitives: this.#panels!.views,
    }
    return JSON.stringify(state)
  }
}
