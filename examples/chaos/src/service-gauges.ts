import { setTimeout as sleep } from 'node:timers/promises'
import { exchange } from './http-exchange.js'

/** The gauges an attack reads back from a service after it: what is still held or waiting. */
export interface ServiceGauges {
  /** Tokens borrowed from the `/search` limiter (`search-routes`). */
  searchBorrowed: number
  searchWaiting: number
  /** Tokens borrowed from the `/export` limiter (`export-routes`). */
  exportBorrowed: number
  exportWaiting: number
  /** Tasks running and waiting in the worker pool. */
  poolRunning: number
  poolWaiting: number
  /** Fulfilments waiting and running in the order queue. */
  fulfilmentsWaiting: number
  fulfilmentsRunning: number
}

const patienceMs = 5_000

/** The value of one sample of a Prometheus text exposition, or `undefined`. */
function sample(metrics: string, name: string, label: string): number | undefined {
  const line = new RegExp(`^${name}\\{name="${label}"\\} (\\S+)$`, 'm').exec(metrics)
  return line === null ? undefined : Number(line[1])
}

/**
 * Reads the route limiters from `GET /metrics` and the pool and order queue from `GET /health`,
 * or `undefined` when either did not answer 200.
 */
export async function readGauges(url: string): Promise<ServiceGauges | undefined> {
  const [metrics, health] = await Promise.all([
    exchange(`${url}/metrics`, { patienceMs, maxBodyBytes: 1024 * 1024 }),
    exchange(`${url}/health`, { patienceMs }),
  ])
  if (metrics.status !== 200 || health.status !== 200) return undefined
  const text = metrics.body
  const state = JSON.parse(health.body) as {
    pool: { running: number; waiting: number }
    followUps: { waiting: number; running: number }
  }
  const read = (name: string, label: string) => sample(text, name, label) ?? Number.NaN
  return {
    searchBorrowed: read('catalog_limiter_tokens_borrowed', 'search-routes'),
    searchWaiting: read('catalog_limiter_waiting', 'search-routes'),
    exportBorrowed: read('catalog_limiter_tokens_borrowed', 'export-routes'),
    exportWaiting: read('catalog_limiter_waiting', 'export-routes'),
    poolRunning: state.pool.running,
    poolWaiting: state.pool.waiting,
    fulfilmentsWaiting: state.followUps.waiting,
    fulfilmentsRunning: state.followUps.running,
  }
}

/** Whether nothing holds a route limiter's token or waits for one, and the pool is idle. */
export function routesAtRest(gauges: ServiceGauges | undefined): boolean {
  return (
    gauges !== undefined &&
    gauges.searchBorrowed === 0 &&
    gauges.searchWaiting === 0 &&
    gauges.exportBorrowed === 0 &&
    gauges.exportWaiting === 0 &&
    gauges.poolRunning === 0 &&
    gauges.poolWaiting === 0
  )
}

/**
 * Polls the gauges until `done` holds or `timeoutMs` passes; resolves with the last reading and
 * how long it took.
 */
export async function waitForGauges(
  url: string,
  done: (gauges: ServiceGauges | undefined) => boolean,
  timeoutMs: number,
): Promise<{ gauges: ServiceGauges | undefined; reached: boolean; elapsedMs: number }> {
  const started = performance.now()
  let gauges = await readGauges(url)
  while (!done(gauges) && performance.now() - started < timeoutMs) {
    await sleep(100)
    gauges = await readGauges(url)
  }
  return { gauges, reached: done(gauges), elapsedMs: performance.now() - started }
}

/** The limiter gauges as the table shows them: `search 0/0, export 0/0 (borrowed/waiting)`. */
export function describeLimiters(gauges: ServiceGauges | undefined): string {
  if (gauges === undefined) return 'gauges unreadable'
  return `search tokens ${gauges.searchBorrowed} borrowed/${gauges.searchWaiting} waiting, export ${gauges.exportBorrowed}/${gauges.exportWaiting}`
}
