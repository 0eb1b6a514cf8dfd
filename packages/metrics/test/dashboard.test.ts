import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createMetrics,
  createOverloadGuard,
  type Metrics,
  type OverloadGuard,
} from '../src/index.js'
import { parseExposition } from './exposition.js'
import { trackOneOfEach } from './fakes.js'

interface Panel {
  id: number
  type: string
  title: string
  gridPos: { h: number; w: number; x: number; y: number }
  targets?: { expr: string; refId: string }[]
}

const dashboard = JSON.parse(
  readFileSync(new URL('../dashboards/loopwork.json', import.meta.url), 'utf8'),
) as { uid: string; panels: Panel[]; templating: { list: { name: string }[] } }

let metrics: Metrics
let guard: OverloadGuard
afterEach(() => {
  metrics?.close()
  guard?.close()
})

/** Every series name this package can produce, from a registry with every kind of primitive tracked. */
async function producedNames(): Promise<Set<string>> {
  metrics = createMetrics()
  guard = createOverloadGuard({ maxEventLoopDelayMs: 1000 })
  trackOneOfEach(metrics)
  metrics.track(guard, { name: 'http' })
  metrics.startRequest()({ method: 'GET', route: '/', status: 200 })
  const { types } = parseExposition(await metrics.render())
  const names = new Set<string>()
  for (const [name, type] of types) {
    names.add(name)
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`)
  }
  return names
}

describe('Grafana dashboard', () => {
  it('is a dashboard with a datasource, a prefix and job/instance filters', () => {
    expect(dashboard.uid).toBe('loopwork-metrics')
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual([
      'datasource',
      'prefix',
      'job',
      'instance',
    ])
    const ids = dashboard.panels.map((panel) => panel.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24)
      if (panel.type !== 'row') expect(panel.targets?.length).toBeGreaterThan(0)
    }
  })

  it('queries only metrics this package produces, through the prefix variable', async () => {
    const produced = await producedNames()
    const queried = new Set<string>()
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const references = [...target.expr.matchAll(/\$\{prefix\}([a-zA-Z_:][a-zA-Z0-9_:]*)/g)]
        expect(references.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0)
        expect(target.expr).not.toMatch(
          /(?<![\w}])(?:http|eventloop|limiter|pool|queue|cache|batcher)_\w+/,
        )
        for (const [, name] of references) queried.add(name!)
      }
    }
    for (const name of queried) expect(produced, name).toContain(name)
    for (const family of [
      'http_',
      'eventloop_',
      'limiter_',
      'pool_',
      'queue_',
      'background_tasks_',
      'batcher_',
      'cache_',
      'overload_',
      'metrics_collect_errors',
    ]) {
      expect(
        [...queried].some((name) => name.startsWith(family)),
        family,
      ).toBe(true)
    }
  })

  it('ships in the npm package', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(manifest.files).toContain('dashboards')
  })
})
