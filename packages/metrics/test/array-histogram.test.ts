import { AggregatorRegistry, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { ArrayHistogram } from '../src/internal/exposition.js'
import { parseExposition, sample } from './exposition.js'

function registered(histogram: ArrayHistogram): Registry {
  const registry = new Registry()
  registry.registerMetric(histogram as never)
  return registry
}

describe('ArrayHistogram', () => {
  it('counts a value in the first bucket whose bound it does not exceed', async () => {
    const histogram = new ArrayHistogram('latency_seconds', 'help', [0.1, 1])
    const series = histogram.addSeries({ route: '/a' })
    for (const value of [0.05, 0.1, 0.5, 1, 3]) histogram.observe(series, value)
    const parsed = parseExposition(histogram.exposition())
    expect(sample(parsed, 'latency_seconds_bucket{le="0.1",route="/a"}')).toBe(2)
    expect(sample(parsed, 'latency_seconds_bucket{le="1",route="/a"}')).toBe(4)
    expect(sample(parsed, 'latency_seconds_bucket{le="+Inf",route="/a"}')).toBe(5)
    expect(sample(parsed, 'latency_seconds_count{route="/a"}')).toBe(5)
    expect(sample(parsed, 'latency_seconds_sum{route="/a"}')).toBeCloseTo(4.65, 10)
  })

  it('prints exactly what the registry prints for it', async () => {
    const histogram = new ArrayHistogram(
      'latency_seconds',
      'Help with a \\ and a\nnewline.',
      [0.1, 1],
    )
    const plain = new ArrayHistogram('plain_seconds', 'no labels', [1])
    const series = histogram.addSeries({ route: '/x"y', method: 'GET' })
    histogram.observe(series, 0.5)
    plain.observe(plain.addSeries({}), 2)
    const registry = registered(histogram)
    registry.registerMetric(plain as never)
    expect(`${histogram.exposition()}\n\n${plain.exposition()}\n`).toBe(await registry.metrics())
  })

  it('gives getMetricsAsJSON and the cluster aggregator a standard histogram', async () => {
    const workers = await Promise.all(
      [1, 2].map(async (count) => {
        const histogram = new ArrayHistogram('jobs_seconds', 'help', [1])
        const series = histogram.addSeries({ queue: 'email' })
        for (let index = 0; index < count; index++) histogram.observe(series, 0.5)
        return registered(histogram).getMetricsAsJSON()
      }),
    )
    const first = workers[0]![0]!
    expect(first).toMatchObject({ name: 'jobs_seconds', type: 'histogram', aggregator: 'sum' })
    expect(first.values[0]).toEqual({
      labels: { le: 1, queue: 'email' },
      value: 1,
      metricName: 'jobs_seconds_bucket',
    })
    const merged = parseExposition(await AggregatorRegistry.aggregate(workers).metrics())
    expect(sample(merged, 'jobs_seconds_count{queue="email"}')).toBe(3)
    expect(sample(merged, 'jobs_seconds_bucket{le="1",queue="email"}')).toBe(3)
    expect(sample(merged, 'jobs_seconds_sum{queue="email"}')).toBe(1.5)
  })

  it('keeps counts when it grows past its initial capacity', () => {
    const histogram = new ArrayHistogram('many_seconds', 'help', [1])
    const all = Array.from({ length: 100 }, (_, index) =>
      histogram.addSeries({ id: String(index) }),
    )
    for (const series of all) histogram.observe(series, series % 2 === 0 ? 0.5 : 2)
    const parsed = parseExposition(histogram.exposition())
    expect(sample(parsed, 'many_seconds_bucket{le="1",id="0"}')).toBe(1)
    expect(sample(parsed, 'many_seconds_bucket{le="1",id="99"}')).toBe(0)
    expect(sample(parsed, 'many_seconds_count{id="99"}')).toBe(1)
  })

  it('adds whole bucket counts at once', () => {
    const histogram = new ArrayHistogram('delay_seconds', 'help', [0.01, 0.1])
    const series = histogram.addSeries({})
    histogram.add(series, [5, 3, 2], 1.25)
    const parsed = parseExposition(histogram.exposition())
    expect(sample(parsed, 'delay_seconds_bucket{le="0.01"}')).toBe(5)
    expect(sample(parsed, 'delay_seconds_bucket{le="0.1"}')).toBe(8)
    expect(sample(parsed, 'delay_seconds_count')).toBe(10)
    expect(sample(parsed, 'delay_seconds_sum')).toBe(1.25)
  })

  it('drops removed series and zeroes on the registry’s resetMetrics()', async () => {
    const histogram = new ArrayHistogram('gone_seconds', 'help', [1])
    const kept = histogram.addSeries({ name: 'kept' })
    const removed = histogram.addSeries({ name: 'removed' })
    histogram.observe(kept, 0.5)
    histogram.observe(removed, 0.5)
    histogram.removeSeries(removed)
    const registry = registered(histogram)
    expect(await registry.metrics()).not.toContain('removed')
    registry.resetMetrics()
    expect(
      sample(parseExposition(await registry.metrics()), 'gone_seconds_count{name="kept"}'),
    ).toBe(0)
  })

  it('runs its read hook before every read', async () => {
    let reads = 0
    const histogram = new ArrayHistogram('hooked_seconds', 'help', [1], () => {
      reads++
    })
    histogram.addSeries({})
    histogram.exposition()
    await histogram.get()
    expect(reads).toBe(2)
  })
})
