// @loopwork/metrics against prom-client in one process, rounds interleaved:
// 1. per-request cost: startRequest + end vs a bare prom-client Histogram.observe with the same
//    labels plus an in-flight gauge inc/dec (and vs prom-client children pre-bound per series);
// 2. render() with 50 routes x 5 statuses and every primitive tracked, vs prom-client printing the
//    same registry and vs the same content glued by hand from prom-client metrics;
// 3. the blocked-loop detector and 4. the overload guard on a request loop, on vs off;
// 5. one status page snapshot (read, serialised once for every viewer) with 50 routes and every
//    primitive tracked, vs render() of the same metrics.
import { EventEmitter } from 'node:events'
import {
  createMetrics,
  createOverloadGuard,
  type Metrics,
  type TrackablePrimitive,
} from '@loopwork/metrics'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { type BenchCase, compare, perSecond, writeResults } from '../../../scripts/bench-kit.js'
// The status page's sampler is internal: it is measured from the sources, with the metrics it reads.
import { createMetrics as createSourceMetrics } from '../src/index.js'
import { metricsSources } from '../src/internal/status-page/metrics-sources.js'
import { StatusSampler } from '../src/internal/status-page/status-sampler.js'

const requestsPerRound = Number(process.env.BENCH_REQUESTS ?? 1_000_000)
const routes = Array.from({ length: 50 }, (_, index) => `/api/resource-${index}/:id`)
const statuses = [200, 201, 400, 404, 500]
const methods = ['GET', 'POST']
/** One label object per series, built up front: the adapters pass a fresh literal, the cost is the same for both sides. */
const labelSets = routes.flatMap((route, routeIndex) =>
  statuses.map((status) => ({ method: methods[routeIndex % 2]!, route, status })),
)
const promLabelSets = labelSets.map(({ method, route, status }) => ({
  method,
  route,
  status_code: status,
}))
const seriesCount = labelSets.length
const clock = performance

function perRequestOurs(): () => number {
  const metrics = createMetrics({ eventLoop: false })
  return () => {
    const started = clock.now()
    for (let index = 0; index < requestsPerRound; index++) {
      metrics.startRequest()(labelSets[index % seriesCount]!)
    }
    return perSecond(requestsPerRound, clock.now() - started)
  }
}

function perRequestPromClient(): () => number {
  const registry = new Registry()
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'request duration',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  })
  const inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'in flight',
    registers: [registry],
  })
  return () => {
    const started = clock.now()
    for (let index = 0; index < requestsPerRound; index++) {
      inFlight.inc()
      const requestStarted = clock.now()
      histogram.observe(promLabelSets[index % seriesCount]!, (clock.now() - requestStarted) / 1000)
      inFlight.dec()
    }
    return perSecond(requestsPerRound, clock.now() - started)
  }
}

function perRequestPromClientChildren(): () => number {
  const registry = new Registry()
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'request duration',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  })
  const inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'in flight',
    registers: [registry],
  })
  // What a careful user does: one child per route and status, found through nested maps.
  const children = new Map<string, Map<number, ReturnType<typeof histogram.labels>>>()
  return () => {
    const started = clock.now()
    for (let index = 0; index < requestsPerRound; index++) {
      inFlight.inc()
      const requestStarted = clock.now()
      const { method, route, status } = labelSets[index % seriesCount]!
      let byStatus = children.get(route)
      if (byStatus === undefined) {
        byStatus = new Map()
        children.set(route, byStatus)
      }
      let child = byStatus.get(status)
      if (child === undefined) {
        child = histogram.labels(method, route, String(status))
        byStatus.set(status, child)
      }
      child.observe((clock.now() - requestStarted) / 1000)
      inFlight.dec()
    }
    return perSecond(requestsPerRound, clock.now() - started)
  }
}

/** Fake primitives with the shapes of the loopwork packages, so render reads realistic stats. */
function primitives() {
  const emitter = () => new EventEmitter()
  return {
    limiter: Object.assign(emitter(), {
      stats: () => ({
        name: 'limiter',
        totalTokens: 40,
        borrowedTokens: 12,
        availableTokens: 28,
        waiting: 3,
        running: 12,
        maxWaiting: 1000,
        acquired: 9_000,
        rejected: 4,
        timedOut: 2,
        aborted: 1,
      }),
    }),
    pool: Object.assign(emitter(), {
      stats: () => ({
        name: 'pool',
        threads: 4,
        busy: 2,
        waiting: 5,
        running: 2,
        completed: 800,
        failed: 3,
        utilization: 0.4,
      }),
    }),
    queue: Object.assign(emitter(), {
      stats: () => ({
        name: 'queue',
        waiting: 20,
        running: 4,
        completed: 500,
        failed: 2,
        retried: 9,
        deadLetters: 1,
        delayed: 3,
      }),
    }),
    supervisor: Object.assign(emitter(), {
      stats: () => ({
        name: 'supervisor',
        running: 2,
        started: 100,
        succeeded: 95,
        failed: 2,
        aborted: 1,
      }),
    }),
    batcher: Object.assign(emitter(), {
      stats: () => ({
        name: 'batcher',
        batches: 300,
        keys: 4_000,
        meanBatchSize: 13,
        largestBatch: 50,
        waiting: 7,
        running: 1,
      }),
    }),
    cache: Object.assign(emitter(), {
      stats: () => ({
        name: 'cache',
        waiting: 0,
        running: 2,
        hits: 9_000,
        misses: 800,
        staleHits: 40,
        loads: 850,
        loadErrors: 3,
        evictions: 120,
        size: 1_000,
      }),
    }),
  }
}

/** Fields the primitives report that `track()` does not export, left out of the hand-glued registry too. */
const notExported = new Set([
  'limiter.availableTokens',
  'limiter.running',
  'pool.running',
  'cache.waiting',
  'cache.running',
])

function fillRequests(observe: (index: number) => void): void {
  for (let index = 0; index < seriesCount * 4; index++) observe(index)
}

function renderOurs(): { metrics: Metrics; close: () => void } {
  const metrics = createMetrics()
  const guard = createOverloadGuard({ maxEventLoopDelayMs: 1_000 })
  const tracked = primitives()
  for (const [name, primitive] of Object.entries(tracked)) {
    metrics.track(primitive as TrackablePrimitive, { name })
  }
  metrics.track(guard, { name: 'http' })
  tracked.pool.emit('taskEnd', { durationMs: 12, waitMs: 1 })
  tracked.batcher.emit('batch', { size: 20, durationMs: 3 })
  fillRequests((index) => metrics.startRequest()(labelSets[index % seriesCount]!))
  return {
    metrics,
    close: () => {
      metrics.close()
      guard.close()
    },
  }
}

/** The same content built from prom-client metrics by hand: a histogram, a gauge, and gauges/counters with `collect`. */
function renderGluedByHand(): Registry {
  const registry = new Registry()
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'request duration',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  })
  new Gauge({ name: 'http_requests_in_flight', help: 'in flight', registers: [registry] }).set(0)
  fillRequests((index) => histogram.observe(promLabelSets[index % seriesCount]!, 0.001))
  const tracked = primitives()
  for (const [kind, primitive] of Object.entries(tracked)) {
    const read = () => primitive.stats() as unknown as Record<string, number>
    const fields = Object.keys(read()).filter(
      (field) => typeof read()[field] === 'number' && !notExported.has(`${kind}.${field}`),
    )
    for (const field of fields) {
      const isCount =
        /completed|failed|acquired|rejected|timedOut|aborted|started|succeeded|retried|batches|keys|hits|misses|loads|Errors|evictions/.test(
          field,
        )
      const configuration = {
        name: `${kind}_${field}${isCount ? '_total' : ''}`,
        help: `${kind} ${field}`,
        labelNames: ['name'],
        registers: [registry],
      }
      if (isCount) {
        new Counter({
          ...configuration,
          collect(this: Counter<string>) {
            this.reset()
            this.inc({ name: kind }, read()[field]!)
          },
        })
      } else {
        new Gauge({
          ...configuration,
          collect(this: Gauge<string>) {
            this.set({ name: kind }, read()[field]!)
          },
        })
      }
    }
  }
  for (const name of [
    'pool_task_duration_seconds',
    'pool_task_wait_seconds',
    'batcher_batch_size',
    'batcher_batch_duration_seconds',
  ]) {
    new Histogram({ name, help: name, labelNames: ['name'], registers: [registry] }).observe(
      { name: 'x' },
      0.01,
    )
  }
  return registry
}

async function millisecondsPerRender(render: () => Promise<string>): Promise<number> {
  const renders = 200
  const started = clock.now()
  for (let index = 0; index < renders; index++) await render()
  return (clock.now() - started) / renders
}

/** A request loop: `perTick` requests per macrotask, so timers (detector, guard) get to run between ticks. */
async function requestLoop(handle: () => void, ticks = 2_000, perTick = 200): Promise<number> {
  const started = clock.now()
  for (let tick = 0; tick < ticks; tick++) {
    for (let index = 0; index < perTick; index++) handle()
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return perSecond(ticks * perTick, clock.now() - started)
}

const cases: BenchCase[] = []

{
  const rounds = {
    '@loopwork/metrics': perRequestOurs(),
    'prom-client': perRequestPromClient(),
    'prom-client, children pre-bound per series': perRequestPromClientChildren(),
  }
  const { '@loopwork/metrics': ours, ...anchors } = await compare(rounds)
  cases.push({
    case: `per request: startRequest + end vs Histogram.observe (method, route, status) + in-flight gauge inc/dec, ${seriesCount} series`,
    unit: 'requests/s',
    higherIsBetter: true,
    ours: ours!,
    anchors,
  })
}

{
  const ours = renderOurs()
  const glued = renderGluedByHand()
  const results = await compare({
    '@loopwork/metrics': () => millisecondsPerRender(() => ours.metrics.render()),
    'prom-client registry.metrics(), same registry': () =>
      millisecondsPerRender(() => ours.metrics.registry.metrics()),
    'prom-client, same content glued by hand': () => millisecondsPerRender(() => glued.metrics()),
  })
  const bytes = (await ours.metrics.render()).length
  ours.close()
  const { '@loopwork/metrics': mine, ...anchors } = results
  cases.push({
    case: `render(): ${routes.length} routes x ${statuses.length} statuses, every primitive tracked, event loop on (${Math.round(bytes / 1024)} KiB)`,
    unit: 'ms/render',
    higherIsBetter: false,
    ours: mine!,
    anchors,
  })
}

{
  const metrics = createMetrics({ eventLoop: false })
  let index = 0
  const request = () => metrics.startRequest()(labelSets[index++ % seriesCount]!)
  const watchedRequest = () =>
    metrics.startRequest(labelSets[index % seriesCount])(labelSets[index++ % seriesCount]!)
  let detection: ReturnType<Metrics['detectBlocking']> | undefined
  const results = await compare({
    on: async () => {
      detection = metrics.detectBlocking({ thresholdMs: 100, onBlocked: () => {} })
      const rate = await requestLoop(watchedRequest)
      detection.close()
      return rate
    },
    off: () => requestLoop(request),
  })
  metrics.close()
  cases.push({
    case: 'request loop (400k requests, 200 per tick) with the blocked-loop detector on (threshold 100 ms, labels at start)',
    unit: 'requests/s',
    higherIsBetter: true,
    ours: results.on!,
    anchors: { 'same loop, detector off': results.off! },
  })
}

{
  const metrics = createMetrics({ eventLoop: false })
  let index = 0
  let shed = 0
  const request = () => metrics.startRequest()(labelSets[index++ % seriesCount]!)
  const results = await compare({
    on: async () => {
      const guard = createOverloadGuard({
        maxEventLoopDelayMs: 1_000,
        maxEventLoopUtilization: 1,
        sampleIntervalMs: 100,
      })
      const rate = await requestLoop(() => {
        if (guard.check().overloaded) shed++
        else request()
      })
      guard.close()
      return rate
    },
    off: () => requestLoop(request),
  })
  metrics.close()
  if (shed > 0) console.log(`(the guard shed ${shed} requests during its rounds)`)
  cases.push({
    case: 'request loop (400k requests, 200 per tick) with an overload guard checked per request (sampling every 100 ms)',
    unit: 'requests/s',
    higherIsBetter: true,
    ours: results.on!,
    anchors: { 'same loop, guard off': results.off! },
  })
}

{
  const metrics = createSourceMetrics()
  const guard = createOverloadGuard({ maxEventLoopDelayMs: 1_000 })
  const tracked = primitives()
  for (const [name, primitive] of Object.entries(tracked)) {
    metrics.track(primitive as TrackablePrimitive, { name })
  }
  metrics.track(guard, { name: 'http' })
  metrics.detectBlocking({ thresholdMs: 100, onBlocked: () => {} })
  fillRequests((index) => metrics.startRequest()(labelSets[index % seriesCount]!))
  let bytes = 0
  const sampler = new StatusSampler(
    metricsSources.get(metrics)!,
    // A long interval: the bench takes the snapshots itself.
    { intervalMs: 60_000, historyPoints: 300, title: 'bench' },
    (_seq, payload) => {
      bytes = payload.length
    },
  )
  sampler.start()
  const snapshots = 500
  const durations: number[] = []
  const results = await compare({
    snapshot: () => {
      let total = 0
      for (let index = 0; index < snapshots; index++) {
        // Requests between snapshots, so every window has something to fold.
        for (let request = 0; request < 50; request++) {
          metrics.startRequest()(labelSets[(index * 50 + request) % seriesCount]!)
        }
        const started = clock.now()
        sampler.snapshot()
        const took = clock.now() - started
        durations.push(took)
        total += took
      }
      return total / snapshots
    },
    render: () => millisecondsPerRender(() => metrics.render()),
  })
  sampler.stop()
  metrics.close()
  guard.close()
  durations.sort((a, b) => a - b)
  const p99 = durations[Math.floor(durations.length * 0.99)]!
  console.log(
    `status page snapshot: p50 ${durations[Math.floor(durations.length / 2)]!.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, ${Math.round(bytes / 1024)} KiB per frame`,
  )
  cases.push({
    case: `status page snapshot: ${routes.length} routes x ${statuses.length} statuses, every primitive tracked, read and serialised once (${Math.round(bytes / 1024)} KiB)`,
    unit: 'ms/snapshot',
    higherIsBetter: false,
    ours: results.snapshot!,
    anchors: { 'render() of the same metrics': results.render! },
  })
}

writeResults('metrics', cases)
