import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createMetrics,
  InvalidLabelValueError,
  type Metrics,
  OTHER_METHOD,
  OVERFLOW_ROUTE,
  UNMATCHED_ROUTE,
} from '../src/index.js'
import { parseExposition, sample } from './exposition.js'

let metrics: Metrics | undefined
afterEach(() => metrics?.close())

async function scrape(target: Metrics) {
  return parseExposition(await target.render())
}

const series = (method: string, route: string, status: string) =>
  `method="${method}",route="${route}",status_code="${status}"`

describe('request metrics', () => {
  it('counts requests in flight from startRequest until end', async () => {
    metrics = createMetrics({ eventLoop: false })
    const first = metrics.startRequest()
    const second = metrics.startRequest()
    expect(metrics.inFlight).toBe(2)
    expect(sample(await scrape(metrics), 'http_requests_in_flight')).toBe(2)
    first({ method: 'GET', route: '/a', status: 200 })
    expect(sample(await scrape(metrics), 'http_requests_in_flight')).toBe(1)
    second({ method: 'GET', route: '/a', status: 200 })
    expect(sample(await scrape(metrics), 'http_requests_in_flight')).toBe(0)
  })

  it('records one observation per request under the matched route template', async () => {
    metrics = createMetrics({ eventLoop: false })
    for (let index = 0; index < 3; index++) {
      metrics.startRequest()({ method: 'GET', route: '/users/:id', status: 200 })
    }
    metrics.startRequest()({ method: 'POST', route: '/users', status: 201 })
    const parsed = await scrape(metrics)
    const users = series('GET', '/users/:id', '200')
    expect(sample(parsed, `http_request_duration_seconds_count{${users}}`)).toBe(3)
    expect(sample(parsed, `http_request_duration_seconds_bucket{le="+Inf",${users}}`)).toBe(3)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series('POST', '/users', '201')}}`),
    ).toBe(1)
    expect(parsed.types.get('http_request_duration_seconds')).toBe('histogram')
  })

  it('measures the duration in seconds and returns it from end', async () => {
    metrics = createMetrics({ eventLoop: false })
    const end = metrics.startRequest()
    await sleep(30)
    const seconds = end({ method: 'GET', route: '/slow', status: 200 })
    expect(seconds).toBeGreaterThanOrEqual(0.025)
    const parsed = await scrape(metrics)
    const slow = series('GET', '/slow', '200')
    expect(sample(parsed, `http_request_duration_seconds_bucket{le="0.01",${slow}}`)).toBe(0)
    expect(sample(parsed, `http_request_duration_seconds_sum{${slow}}`)).toBe(seconds)
  })

  it('ignores a second end of the same request and returns the first duration', async () => {
    metrics = createMetrics({ eventLoop: false })
    metrics.startRequest()
    const end = metrics.startRequest()
    const seconds = end({ method: 'GET', route: '/a', status: 200 })
    expect(end({ method: 'GET', route: '/b', status: 500 })).toBe(seconds)
    expect(metrics.inFlight).toBe(1)
    const parsed = await scrape(metrics)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series('GET', '/a', '200')}}`),
    ).toBe(1)
    expect(
      parsed.samples.has(`http_request_duration_seconds_count{${series('GET', '/b', '500')}}`),
    ).toBe(false)
  })

  it('labels requests that matched no route with one fixed value', async () => {
    metrics = createMetrics({ eventLoop: false })
    metrics.startRequest()({ method: 'GET', status: 404 })
    metrics.startRequest()({ method: 'GET', route: undefined, status: 404 })
    metrics.startRequest()({ method: 'GET', route: null, status: 404 })
    const parsed = await scrape(metrics)
    expect(UNMATCHED_ROUTE).toBe('__unmatched__')
    expect(
      sample(
        parsed,
        `http_request_duration_seconds_count{${series('GET', UNMATCHED_ROUTE, '404')}}`,
      ),
    ).toBe(3)
  })

  it('merges equivalent label values into one series', async () => {
    metrics = createMetrics({ eventLoop: false })
    metrics.startRequest()({ method: 'get', route: '/a', status: 200 })
    metrics.startRequest()({ method: 'GET', route: '/a', status: '200' })
    metrics.startRequest()({ method: 'GET', route: 7, status: 200 })
    metrics.startRequest()({ method: 'GET', route: '7', status: 200 })
    const parsed = await scrape(metrics)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series('GET', '/a', '200')}}`),
    ).toBe(2)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series('GET', '7', '200')}}`),
    ).toBe(2)
  })

  it('labels methods Node does not know as _OTHER', async () => {
    metrics = createMetrics({ eventLoop: false })
    metrics.startRequest()({ method: 'BREW', route: '/pot', status: 418 })
    metrics.startRequest()({ method: 'propfind', route: '/pot', status: 418 })
    const parsed = await scrape(metrics)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series(OTHER_METHOD, '/pot', '418')}}`),
    ).toBe(1)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series('PROPFIND', '/pot', '418')}}`),
    ).toBe(1)
  })

  it('groups status codes into classes when asked', async () => {
    metrics = createMetrics({ eventLoop: false, groupStatusCodes: true })
    metrics.startRequest()({ method: 'GET', route: '/a', status: 200 })
    metrics.startRequest()({ method: 'GET', route: '/a', status: 204 })
    metrics.startRequest()({ method: 'GET', route: '/a', status: 503 })
    const parsed = await scrape(metrics)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series('GET', '/a', '2xx')}}`),
    ).toBe(2)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series('GET', '/a', '5xx')}}`),
    ).toBe(1)
  })

  it('labels routes past maxRoutes as __overflow__, keeping cardinality bounded', async () => {
    metrics = createMetrics({ eventLoop: false, maxRoutes: 2 })
    for (const route of ['/a', '/b', '/c', '/d', '/a']) {
      metrics.startRequest()({ method: 'GET', route, status: 200 })
    }
    for (let index = 0; index < 5_000; index++) {
      metrics.startRequest()({ method: 'GET', route: `/raw/${index}`, status: 200 })
    }
    const parsed = await scrape(metrics)
    expect(
      sample(parsed, `http_request_duration_seconds_count{${series('GET', '/a', '200')}}`),
    ).toBe(2)
    expect(
      sample(
        parsed,
        `http_request_duration_seconds_count{${series('GET', OVERFLOW_ROUTE, '200')}}`,
      ),
    ).toBe(5_002)
    const counts = [...parsed.samples.keys()].filter((key) =>
      key.startsWith('http_request_duration_seconds_count'),
    )
    expect(counts).toHaveLength(3)
  })

  it.each([
    ['a method that is an object', { method: {}, route: '/a', status: 200 }, 'method'],
    ['a missing method', { route: '/a', status: 200 }, 'method'],
    ['a boolean route', { method: 'GET', route: true, status: 200 }, 'route'],
    ['an object route', { method: 'GET', route: { path: '/a' }, status: 200 }, 'route'],
    ['a text status', { method: 'GET', route: '/a', status: 'ok' }, 'status'],
    ['a status below 100', { method: 'GET', route: '/a', status: 42 }, 'status'],
    ['a status above 999', { method: 'GET', route: '/a', status: 1000 }, 'status'],
    ['a fractional status', { method: 'GET', route: '/a', status: 200.5 }, 'status'],
    ['a missing status', { method: 'GET', route: '/a' }, 'status'],
  ])(
    'rejects %s with InvalidLabelValueError, keeping the in-flight count right',
    async (_, labels, label) => {
      metrics = createMetrics({ eventLoop: false })
      const end = metrics.startRequest()
      let thrown: unknown
      try {
        end(labels as never)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(InvalidLabelValueError)
      expect(thrown).toMatchObject({ code: 'LOOPWORK_INVALID_LABEL_VALUE', label })
      expect((thrown as Error).message).toMatch(new RegExp(`Label "${label}" must be`))
      expect(metrics.inFlight).toBe(0)
      const parsed = await scrape(metrics)
      expect(
        [...parsed.samples.keys()].some((key) =>
          key.startsWith('http_request_duration_seconds_count'),
        ),
      ).toBe(false)
    },
  )

  it('rejects end() without labels', () => {
    metrics = createMetrics({ eventLoop: false })
    const end = metrics.startRequest()
    expect(() => end(undefined as never)).toThrow(/Label "labels" must be an object/)
  })

  it('escapes quotes, backslashes and newlines in route labels', async () => {
    metrics = createMetrics({ eventLoop: false })
    metrics.startRequest()({ method: 'GET', route: '/a"b\\c\nd', status: 200 })
    const text = await metrics.render()
    expect(text).toContain('route="/a\\"b\\\\c\\nd"')
    expect(text).toBe(await metrics.registry.metrics())
    parseExposition(text)
  })
})
