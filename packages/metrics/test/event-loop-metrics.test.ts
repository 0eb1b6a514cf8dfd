import { readFile } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetrics, type Metrics } from '../src/index.js'
import { bucketCountsFromPercentiles } from '../src/internal/event-loop.js'
import { parseExposition, sample } from './exposition.js'
import { blockLoop } from './fakes.js'

let metrics: Metrics | undefined
afterEach(() => metrics?.close())

const milliseconds = (value: number) => value * 1e6

describe('bucketCountsFromPercentiles', () => {
  it('puts count × (largest percentile within the bound) at or below each bound', () => {
    const percentiles = new Map([
      [0, milliseconds(1)],
      [50, milliseconds(2)],
      [75, milliseconds(4)],
      [87.5, milliseconds(30)],
      [100, milliseconds(300)],
    ])
    const counts = bucketCountsFromPercentiles(percentiles, 80, [0.001, 0.005, 0.1, 0.25], 0)
    expect([...counts]).toEqual([0, 60, 10, 0, 10])
  })

  it('subtracts the sampler offset from every delay', () => {
    const percentiles = new Map([
      [0, milliseconds(10.2)],
      [100, milliseconds(10.4)],
    ])
    const counts = bucketCountsFromPercentiles(percentiles, 10, [0.001], milliseconds(10))
    expect([...counts]).toEqual([10, 0])
  })

  it('puts everything above the last bound into the overflow slot', () => {
    const counts = bucketCountsFromPercentiles(new Map([[100, milliseconds(5_000)]]), 3, [1], 0)
    expect([...counts]).toEqual([0, 3])
  })
})

describe('event-loop metrics', () => {
  it('exports delay as a histogram and window percentiles, utilization as a gauge and active time as a counter', async () => {
    metrics = createMetrics({ prefix: 'app_' })
    await new Promise<void>((resolve) =>
      readFile(import.meta.filename, () => {
        blockLoop(400)
        resolve()
      }),
    )
    await sleep(1_100)
    const parsed = parseExposition(await metrics.render())
    expect(parsed.types.get('app_eventloop_delay_seconds')).toBe('histogram')
    expect(parsed.types.get('app_eventloop_delay_window_seconds')).toBe('gauge')
    expect(parsed.types.get('app_eventloop_utilization')).toBe('gauge')
    expect(parsed.types.get('app_eventloop_active_seconds_total')).toBe('counter')
    const count = sample(parsed, 'app_eventloop_delay_seconds_count')
    expect(count).toBeGreaterThan(0)
    expect(sample(parsed, 'app_eventloop_delay_seconds_bucket{le="+Inf"}')).toBe(count)
    expect(sample(parsed, 'app_eventloop_delay_seconds_sum')).toBeGreaterThanOrEqual(0)
    expect(sample(parsed, 'app_eventloop_delay_window_max_seconds')).toBeGreaterThanOrEqual(0)
    const p50 = sample(parsed, 'app_eventloop_delay_window_seconds{quantile="0.5"}')
    const p99 = sample(parsed, 'app_eventloop_delay_window_seconds{quantile="0.99"}')
    expect(p50).toBeGreaterThanOrEqual(0)
    expect(p99).toBeGreaterThanOrEqual(p50)
    const utilization = sample(parsed, 'app_eventloop_utilization')
    // A 400 ms block in a window of about 1.5 s: utilization sees every stall.
    expect(utilization).toBeGreaterThan(0.1)
    expect(utilization).toBeLessThanOrEqual(1)
    expect(sample(parsed, 'app_eventloop_active_seconds_total')).toBeGreaterThan(0.2)
  })

  it('keeps one window for scrapes less than a second apart, so two scrapers do not shrink each other’s', async () => {
    metrics = createMetrics()
    await sleep(50)
    const first = parseExposition(await metrics.render())
    await sleep(20)
    const second = parseExposition(await metrics.render())
    expect(sample(second, 'eventloop_delay_seconds_count')).toBe(
      sample(first, 'eventloop_delay_seconds_count'),
    )
    expect(sample(second, 'eventloop_delay_window_max_seconds')).toBe(
      sample(first, 'eventloop_delay_window_max_seconds'),
    )
    expect(sample(second, 'eventloop_active_seconds_total')).toBeGreaterThanOrEqual(
      sample(first, 'eventloop_active_seconds_total'),
    )
  })
})
