import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetrics, createOverloadGuard, type Metrics } from '../src/index.js'
import { openMetricsRegistry, parseExposition } from './exposition.js'
import { trackOneOfEach } from './fakes.js'

/** Masks the values of families that change between two scrapes (time, CPU, memory). */
function stable(text: string): string {
  return text.replace(/^((?:eventloop_|process_|nodejs_)\S*) \S+$/gm, '$1 <varies>')
}

let metrics: Metrics | undefined
const closers: Array<() => void> = []
afterEach(() => {
  metrics?.close()
  for (const close of closers.splice(0)) close()
})

function everything(registry: Registry): Metrics {
  const created = createMetrics({ registry, defaultMetrics: true })
  const guard = createOverloadGuard({ maxEventLoopDelayMs: 1000 })
  closers.push(() => guard.close())
  const { pool, batcher } = trackOneOfEach(created)
  created.track(guard, { name: 'http' })
  pool.emit('taskEnd', { name: 'hash', durationMs: 12, waitMs: 1 })
  batcher.emit('batch', { size: 17, durationMs: 4 })
  for (const route of ['/a', '/b/:id', '/c "quoted"']) {
    created.startRequest()({ method: 'GET', route, status: 200 })
  }
  return created
}

describe('render()', () => {
  it('prints exactly what registry.metrics() prints, with everything tracked', async () => {
    metrics = everything(new Registry())
    const fast = await metrics.render()
    expect(stable(fast)).toBe(stable(await metrics.registry.metrics()))
    expect(fast).toContain('limiter_tokens{name="db"} 40')
    const parsed = parseExposition(fast)
    expect(parsed.types.get('http_request_duration_seconds')).toBe('histogram')
    expect(parsed.types.get('pool_task_duration_seconds')).toBe('histogram')
    expect(parsed.types.get('process_cpu_user_seconds_total')).toBe('counter')
  })

  it('lets the registry print when it has default labels', async () => {
    const registry = new Registry()
    registry.setDefaultLabels({ service: 'api' })
    metrics = everything(registry)
    const text = await metrics.render()
    expect(text).toContain(
      'http_request_duration_seconds_count{service="api",method="GET",route="/a",status_code="200"} 1',
    )
    expect(stable(text)).toBe(stable(await registry.metrics()))
  })

  it('lets the registry print OpenMetrics', async () => {
    const registry = openMetricsRegistry()
    metrics = createMetrics({ registry })
    metrics.startRequest()({ method: 'GET', route: '/a', status: 200 })
    const text = await metrics.render()
    expect(text.endsWith('# EOF\n')).toBe(true)
    expect(stable(text)).toBe(stable(await registry.metrics()))
  })

  it('keeps every histogram cumulative', async () => {
    metrics = everything(new Registry())
    const parsed = parseExposition(await metrics.render())
    const runs = new Map<string, number[]>()
    for (const [key, value] of parsed.samples) {
      const bucket = /^(\w+)_bucket\{le="[^"]+",?(.*)\}$/.exec(key)
      if (bucket === null) continue
      const series = `${bucket[1]}|${bucket[2]}`
      runs.set(series, [...(runs.get(series) ?? []), value])
    }
    expect(runs.size).toBeGreaterThan(5)
    for (const values of runs.values()) {
      expect(values).toEqual([...values].sort((a, b) => a - b))
    }
  })
})
