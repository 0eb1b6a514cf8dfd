import { collectDefaultMetrics, Gauge, Registry, register } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import {
  ClosedError,
  createMetrics,
  DEFAULT_REQUEST_BUCKETS,
  LoopworkError,
  MetricNameConflictError,
  type Metrics,
} from '../src/index.js'
import { openMetricsRegistry, parseExposition, sample } from './exposition.js'
import { FakeLimiter } from './fakes.js'

const created: Metrics[] = []
function make(options?: Parameters<typeof createMetrics>[0]): Metrics {
  const metrics = createMetrics(options)
  created.push(metrics)
  return metrics
}
afterEach(() => {
  for (const metrics of created.splice(0)) metrics.close()
})

const names = (registry: Registry) =>
  registry.getMetricsAsArray().map((metric) => (metric as unknown as { name: string }).name)

describe('createMetrics', () => {
  it('uses a fresh registry by default, never the global one', () => {
    const metrics = make()
    expect(metrics.registry).toBeInstanceOf(Registry)
    expect(metrics.registry).not.toBe(register)
    expect(register.getSingleMetric('http_request_duration_seconds')).toBeUndefined()
  })

  it('registers in a given registry next to the application’s own metrics', async () => {
    const registry = new Registry()
    const own = new Gauge({ name: 'own_gauge', help: 'mine', registers: [registry] })
    own.set(5)
    const metrics = make({ registry, eventLoop: false })
    metrics.startRequest()({ method: 'GET', route: '/', status: 200 })
    const parsed = parseExposition(await metrics.render())
    expect(sample(parsed, 'own_gauge')).toBe(5)
    expect(
      sample(
        parsed,
        'http_request_duration_seconds_count{method="GET",route="/",status_code="200"}',
      ),
    ).toBe(1)
    expect(await registry.metrics()).toBe(await metrics.render())
  })

  it('puts the prefix before every metric name it creates', async () => {
    const metrics = make({ prefix: 'app_', defaultMetrics: true })
    metrics.track(new FakeLimiter(), { name: 'db' })
    const parsed = parseExposition(await metrics.render())
    expect(parsed.types.size).toBeGreaterThan(20)
    for (const name of parsed.types.keys()) expect(name).toMatch(/^app_/)
    expect(parsed.types.get('app_process_cpu_user_seconds_total')).toBe('counter')
  })

  it('uses the given buckets and prom-client’s defaults otherwise', async () => {
    const custom = make({ buckets: [0.1, 1], eventLoop: false })
    custom.startRequest()({ method: 'GET', route: '/', status: 200 })
    const bounds = (text: string) =>
      [...text.matchAll(/http_request_duration_seconds_bucket\{le="([^"]+)"/g)].map(
        (match) => match[1],
      )
    expect(bounds(await custom.render())).toEqual(['0.1', '1', '+Inf'])
    const standard = make({ eventLoop: false })
    standard.startRequest()({ method: 'GET', route: '/', status: 200 })
    expect(bounds(await standard.render())).toEqual([
      ...DEFAULT_REQUEST_BUCKETS.map(String),
      '+Inf',
    ])
  })

  it('registers prom-client default metrics only when asked', async () => {
    const without = make()
    expect(names(without.registry)).not.toContain('process_cpu_user_seconds_total')
    const withDefaults = make({ defaultMetrics: true })
    expect(names(withDefaults.registry)).toContain('process_cpu_user_seconds_total')
  })

  it('leaves event-loop metrics out when eventLoop is false', () => {
    expect(names(make({ eventLoop: false }).registry)).not.toContain('eventloop_delay_seconds')
    expect(names(make().registry)).toContain('eventloop_delay_seconds')
  })

  it('serves the registry’s content type', () => {
    const metrics = make()
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
    const open = make({ registry: openMetricsRegistry() })
    expect(open.contentType).toBe(Registry.OPENMETRICS_CONTENT_TYPE)
  })

  it.each([
    [{ buckets: [] }, TypeError, /buckets must be a non-empty array of ascending upper bounds/],
    [{ buckets: 'fast' }, TypeError, /buckets must be a non-empty array.*got "fast"/],
    [
      { buckets: [0.1, 0.05] },
      RangeError,
      /buckets\[1\] must be greater than buckets\[0\] \(0.1\): bounds must be strictly ascending, got 0.05/,
    ],
    [{ buckets: [0.1, 0.1] }, RangeError, /strictly ascending/],
    [
      { buckets: [0.1, Number.NaN] },
      RangeError,
      /buckets\[1\] must be a finite number >= 0 \(\+Inf is always added\), got NaN/,
    ],
    [
      { buckets: [0.1, Number.POSITIVE_INFINITY] },
      RangeError,
      /buckets\[1\] must be a finite number/,
    ],
    [{ buckets: [-1, 1] }, RangeError, /buckets\[0\] must be a finite number >= 0/],
    [{ buckets: ['1'] }, TypeError, /buckets\[0\] must be a finite number.*got "1"/],
    [{ eventLoopBuckets: [2, 1] }, RangeError, /eventLoopBuckets\[1\] .*strictly ascending/],
    [{ prefix: '1app' }, TypeError, /prefix must be the start of a Prometheus metric name/],
    [{ prefix: 'app-' }, TypeError, /prefix must be the start of a Prometheus.*got "app-"/],
    [{ registry: {} }, TypeError, /registry must be a prom-client Registry, got an object/],
    [{ maxRoutes: 0 }, RangeError, /maxRoutes must be an integer from 1 to 1000000, got 0/],
    [
      { eventLoopResolutionMs: 0 },
      RangeError,
      /eventLoopResolutionMs must be a number of milliseconds from 1 to 2147483647, got 0/,
    ],
    [
      { eventLoopResolutionMs: 2.5 },
      RangeError,
      /eventLoopResolutionMs must be a whole number of milliseconds from 1 to 1000, got 2.5/,
    ],
    [
      { eventLoopResolutionMs: 5000 },
      RangeError,
      /eventLoopResolutionMs must be a whole number of milliseconds from 1 to 1000, got 5000/,
    ],
    [{ defaultMetrics: 'yes' }, TypeError, /defaultMetrics must be true or false, got "yes"/],
    // A number where a boolean belongs is the wrong type, not a number out of range.
    [{ groupStatusCodes: 1 }, TypeError, /groupStatusCodes must be true or false/],
    [
      { maxRoute: 10 },
      TypeError,
      /Unknown option "maxRoute" in createMetrics\(\) options \(did you mean "maxRoutes"\?\)/,
    ],
  ])('rejects %o with a clear error', (options, type, message) => {
    const registry = new Registry()
    const attempt = () => createMetrics({ registry, ...(options as object) })
    expect(attempt).toThrow(type)
    expect(attempt).toThrow(message)
    expect(attempt).toThrow(expect.objectContaining({ code: 'LOOPWORK_INVALID_OPTION' }))
    expect(names(registry)).toEqual([])
  })

  it('rejects options that are not an object', () => {
    expect(() => createMetrics(5 as never)).toThrow(
      /createMetrics\(\) options must be an options object, got 5/,
    )
  })

  it('copies the buckets it was given, so changing the array later changes nothing', async () => {
    const buckets = [0.1, 1]
    const metrics = make({ buckets, eventLoop: false })
    buckets[0] = 5
    metrics.startRequest()({ method: 'GET', route: '/', status: 200 })
    expect(await metrics.render()).toContain('http_request_duration_seconds_bucket{le="0.1"')
  })

  it('refuses a second createMetrics with the same prefix on a shared registry, registering nothing', async () => {
    const registry = new Registry()
    const first = make({ registry, eventLoop: false })
    first.startRequest()({ method: 'GET', route: '/', status: 200 })
    const before = names(registry)
    let thrown: unknown
    try {
      createMetrics({ registry })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(MetricNameConflictError)
    expect(thrown).toBeInstanceOf(LoopworkError)
    expect(thrown).toMatchObject({
      code: 'LOOPWORK_METRIC_NAME_CONFLICT',
      metricName: 'http_request_duration_seconds',
    })
    expect((thrown as Error).message).toMatch(
      /already registered in this registry; give each createMetrics sharing a registry its own prefix/,
    )
    expect(names(registry)).toEqual(before)
    expect(parseExposition(await first.render()).samples.size).toBeGreaterThan(0)
    const second = make({ registry, prefix: 'second_', eventLoop: false })
    expect(names(second.registry)).toContain('second_http_request_duration_seconds')
  })

  it('refuses a name the application already uses and leaves its metric alone', () => {
    const registry = new Registry()
    new Gauge({ name: 'http_requests_in_flight', help: 'mine', registers: [registry] })
    expect(() => createMetrics({ registry })).toThrow(MetricNameConflictError)
    expect(names(registry)).toEqual(['http_requests_in_flight'])
  })

  it('rolls everything back when prom-client default metrics collide', () => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const before = names(registry)
    expect(() => createMetrics({ registry, defaultMetrics: true })).toThrow(MetricNameConflictError)
    expect(names(registry)).toEqual(before)
  })

  it('close() removes its metrics so the registry can be reused, and refuses new tracking', () => {
    const registry = new Registry()
    const metrics = createMetrics({ registry })
    metrics.track(new FakeLimiter(), { name: 'db' })
    metrics.close()
    metrics.close()
    expect(names(registry)).toEqual([])
    expect(() => metrics.track(new FakeLimiter(), { name: 'db' })).toThrow(ClosedError)
    expect(() => metrics.track(new FakeLimiter(), { name: 'db' })).toThrow(
      expect.objectContaining({ code: 'LOOPWORK_CLOSED' }),
    )
    expect(() => metrics.detectBlocking({ onBlocked: () => {} })).toThrow(
      /Cannot detect blocking: these metrics were closed/,
    )
    const end = metrics.startRequest()
    expect(end({ method: 'GET', route: '/', status: 200 })).toBeGreaterThanOrEqual(0)
    make({ registry })
    expect(names(registry)).toContain('http_request_duration_seconds')
  })
})
