import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
// @ts-expect-error: a plain script without declarations; the test compares its output only.
import { statusPageModule } from '../scripts/status-page-asset.mjs'
import {
  ClosedError,
  createMetrics,
  createOverloadGuard,
  type Metrics,
  type StatusPage,
  type StatusPageOptions,
} from '../src/index.js'
import { EventStreams } from '../src/internal/status-page/event-streams.js'
import { quantileMs } from '../src/internal/status-page/route-window.js'
import { isLoopbackAddress } from '../src/internal/status-page/status-responses.js'
import { FakeLimiter, trackOneOfEach } from './fakes.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  vi.restoreAllMocks()
})

interface Served {
  metrics: Metrics
  page: StatusPage
  url: string
  server: Server
}

/** A `node:http` server with the page mounted at /status and a route that records requests. */
async function serve(
  options: StatusPageOptions<any> = {},
  metrics = createMetrics({ eventLoop: false }),
): Promise<Served> {
  const page = metrics.statusPage(options)
  const server = createServer((request, response) => {
    const url = request.url ?? '/'
    if (url === '/status' || url.startsWith('/status/')) {
      page.handleNode(request, response, { path: url.slice('/status'.length) }).catch((error) => {
        response.writeHead(500).end(String(error.message))
      })
      return
    }
    const end = metrics.startRequest({ method: request.method })
    const route = url.startsWith('/items/')
      ? '/items/:id'
      : url.startsWith('/slow')
        ? '/slow'
        : undefined
    response.on('finish', () =>
      end({ method: request.method!, route, status: response.statusCode }),
    )
    response.statusCode = route === undefined ? 404 : url.includes('fail') ? 500 : 200
    response.end('ok')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  cleanups.push(
    () => metrics.close(),
    () => {
      server.closeAllConnections()
      if (server.listening) return new Promise((resolve) => server.close(resolve))
    },
  )
  return {
    metrics,
    page,
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  }
}

/** An open event stream: frames as they arrive, parsed. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const response = await fetch(url, { headers, signal: controller.signal })
  const frames: string[] = []
  let text = ''
  const reading = (async () => {
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        text += decoder.decode(value, { stream: true })
        let end = text.indexOf('\n\n')
        while (end !== -1) {
          frames.push(text.slice(0, end))
          text = text.slice(end + 2)
          end = text.indexOf('\n\n')
        }
      }
    } catch {}
  })()
  cleanups.push(() => controller.abort())
  const events = () =>
    frames
      .filter((frame) => frame.includes('data: '))
      .map((frame) => {
        const lines = frame.split('\n')
        return {
          id: Number(lines.find((line) => line.startsWith('id: '))?.slice(4)),
          data: JSON.parse(lines.find((line) => line.startsWith('data: '))!.slice(6)),
          lines,
        }
      })
  return { response, frames, events, reading, close: () => controller.abort() }
}

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
}

describe('the page asset', () => {
  it('is generated from status-page/page.html, page.css and page.js as they are now', () => {
    const generated = readFileSync(
      new URL('../src/internal/status-page/page-asset.ts', import.meta.url),
      'utf8',
    )
    expect(generated).toBe(statusPageModule())
  })

  it('is allowed by its policy through the hashes of its one inline script and style, and loads nothing else', async () => {
    const { url } = await serve()
    const response = await fetch(`${url}/status/`)
    const html = await response.text()
    const policy = response.headers.get('content-security-policy')!
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!)
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1]!)
    expect(scripts).toHaveLength(1)
    expect(styles).toHaveLength(1)
    expect(policy).toBe(
      `default-src 'none'; script-src ${hash(scripts[0]!)}; style-src ${hash(styles[0]!)}; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    )
    // No markup from data, no inline handler or style attribute, nothing from another origin.
    for (const forbidden of [
      'innerHTML',
      'outerHTML',
      'insertAdjacentHTML',
      'document.write',
      'eval(',
    ]) {
      expect(html).not.toContain(forbidden)
    }
    expect(html).not.toMatch(/\sstyle="|\son[a-z]+="|https?:\/\//)
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">')
  })
})

describe('answers', () => {
  it('serves the page, its snapshot and its stream with their headers, and nothing else', async () => {
    const { url } = await serve()
    const page = await fetch(`${url}/status/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    for (const [name, value] of [
      ['cache-control', 'no-store'],
      ['x-content-type-options', 'nosniff'],
      ['referrer-policy', 'no-referrer'],
      ['x-frame-options', 'DENY'],
    ]) {
      expect(page.headers.get(name!), name).toBe(value)
    }
    expect(page.headers.get('access-control-allow-origin')).toBeNull()
    const head = await fetch(`${url}/status`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    const snapshot = await fetch(`${url}/status/snapshot`)
    expect(snapshot.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(Object.keys((await snapshot.json()) as object)).toEqual(['state', 'points'])
    const stream = await openStream(`${url}/status/events`)
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(stream.response.headers.get('cache-control')).toBe('no-cache, no-store, no-transform')
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no')
    expect((await fetch(`${url}/status/other`)).status).toBe(404)
    const post = await fetch(`${url}/status/`, { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
  })

  it('lets only loopback clients in by default, and none that came through a proxy', async () => {
    const { url } = await serve()
    expect((await fetch(`${url}/status/`)).status).toBe(200)
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const response = await fetch(`${url}/status/snapshot`, { headers: { [header]: '1.2.3.4' } })
      expect(response.status, header).toBe(403)
    }
    expect(isLoopbackAddress('127.0.0.1')).toBe(true)
    expect(isLoopbackAddress('127.8.9.10')).toBe(true)
    expect(isLoopbackAddress('::1')).toBe(true)
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true)
    expect(isLoopbackAddress('10.0.0.1')).toBe(false)
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false)
    expect(isLoopbackAddress('128.0.0.1')).toBe(false)
    expect(isLoopbackAddress(undefined)).toBe(false)
  })

  it('asks authorize for every route of the mount, and rejects with what it throws', async () => {
    const verdicts = [true, false]
    const asked: string[] = []
    const { url } = await serve({
      authorize: async (request: { url: string }) => {
        asked.push(request.url)
        return verdicts[asked.length % 2]!
      },
    })
    const statuses = []
    for (const path of ['/status/', '/status/snapshot', '/status/events']) {
      statuses.push((await fetch(`${url}${path}`, { headers: { 'x-forwarded-for': 'x' } })).status)
    }
    expect(asked).toEqual(['/status/', '/status/snapshot', '/status/events'])
    expect(statuses).toEqual([403, 200, 403])
    const failing = await serve({
      authorize: () => {
        throw new Error('no session store')
      },
    })
    const answer = await fetch(`${failing.url}/status/`)
    expect(answer.status).toBe(500)
    expect(await answer.text()).toBe('no session store')
  })

  it('answers a stream past maxClients with 503 and Retry-After, and the snapshot still', async () => {
    const { url } = await serve({ maxClients: 1 })
    const first = await openStream(`${url}/status/events`)
    expect(first.response.status).toBe(200)
    const second = await fetch(`${url}/status/events`)
    expect(second.status).toBe(503)
    expect(second.headers.get('retry-after')).toBe('30')
    expect((await fetch(`${url}/status/snapshot`)).status).toBe(200)
  })
})

describe('the stream', () => {
  it('starts with retry and the full state, then one frame per snapshot numbered by id', async () => {
    const { url } = await serve({ intervalMs: 100 })
    const stream = await openStream(`${url}/status/events`)
    await vi.waitFor(() => expect(stream.events().length).toBeGreaterThanOrEqual(3))
    expect(stream.frames[0]).toBe('retry: 2000')
    const ids = stream.events().map((event) => event.id)
    expect(ids[1]).toBe(ids[0]! + 1)
    for (const event of stream.events()) expect(event.data.state.seq).toBe(event.id)
    const later = stream.events()[2]!.data
    expect(later.points).toHaveLength(1)
    expect(later.points[0][0]).toBe(later.state.seq)
  })

  it('resumes after Last-Event-ID with the points it missed only', async () => {
    const { url } = await serve({ intervalMs: 100 })
    const first = await openStream(`${url}/status/events`)
    await vi.waitFor(() => expect(first.events().length).toBeGreaterThanOrEqual(4))
    const seen = first.events()[1]!.id
    const resumed = await openStream(`${url}/status/events`, { 'last-event-id': String(seen) })
    await vi.waitFor(() => expect(resumed.events().length).toBeGreaterThanOrEqual(1))
    const points = resumed.events()[0]!.data.points as number[][]
    expect(points.length).toBeGreaterThan(0)
    expect(points[0]![0]).toBe(seen + 1)
    const polled = (await (await fetch(`${url}/status/snapshot?after=${seen}`)).json()) as {
      points: number[][]
    }
    expect(polled.points[0]![0]).toBe(seen + 1)
  })

  it('sends a comment after heartbeatMs of quiet', async () => {
    const { url } = await serve({ intervalMs: 60_000, heartbeatMs: 100 })
    const stream = await openStream(`${url}/status/events`)
    await vi.waitFor(() => expect(stream.frames).toContain(': keep-alive'))
  })

  it('keeps every frame one line of JSON whatever the names hold', async () => {
    const metrics = createMetrics({ eventLoop: false })
    const names = [
      '</script><script>alert(1)</script>',
      'line\u2028separator',
      'carriage\r\nreturn',
    ]
    for (const name of names) metrics.track(new FakeLimiter(), { name })
    metrics.startRequest()({ method: 'GET', route: '<img src=x onerror=alert(1)>\n', status: 200 })
    const { url } = await serve({ intervalMs: 100, title: 'a\nb<i>' }, metrics)
    const stream = await openStream(`${url}/status/events`)
    await vi.waitFor(() => expect(stream.events().length).toBeGreaterThanOrEqual(2))
    for (const event of stream.events()) {
      expect(event.lines.map((line) => line.slice(0, line.indexOf(':')))).toEqual(['id', 'data'])
      expect(event.data.state.primitives.map((view: any) => view.name)).toEqual(names)
      expect(event.data.state.requests.routes[0].route).toBe('<img src=x onerror=alert(1)>\n')
      expect(event.data.state.title).toBe('a\nb<i>')
    }
  })

  it('ends with the page, and after metrics.close() every route answers 503', async () => {
    const { url, metrics } = await serve()
    const stream = await openStream(`${url}/status/events`)
    await vi.waitFor(() => expect(stream.events().length).toBe(1))
    metrics.close()
    await stream.reading
    expect((await fetch(`${url}/status/`)).status).toBe(503)
    expect(() => metrics.statusPage()).toThrow(ClosedError)
  })

  it('ends once its server stops listening, so a graceful shutdown is not held up', async () => {
    const { url, server } = await serve({ intervalMs: 100 })
    const stream = await openStream(`${url}/status/events`)
    await vi.waitFor(() => expect(stream.events().length).toBe(1))
    const closed = new Promise((resolve) => server.close(resolve))
    await stream.reading
    // The stream's connection is idle now: the server can finish closing.
    server.closeIdleConnections()
    await closed
    expect(server.listening).toBe(false)
  })

  it('drops a client that stops reading instead of buffering for it', () => {
    const changes: number[] = []
    const streams = new EventStreams(5, 60_000, () => changes.push(streams.size))
    const ended: string[] = []
    const sink = (name: string, keeps: () => boolean) => ({
      write: keeps,
      end: () => ended.push(name),
    })
    let stalled = false
    streams.open(sink('reading', () => true))
    streams.open(sink('stalled', () => !stalled))
    streams.broadcast('id: 1\ndata: {}\n\n')
    expect(streams.size).toBe(2)
    stalled = true
    streams.broadcast('id: 2\ndata: {}\n\n')
    expect(streams.size).toBe(1)
    expect(ended).toEqual(['stalled'])
    streams.closeAll()
    expect(ended).toEqual(['stalled', 'reading'])
    expect(changes).toEqual([1, 2, 1, 0])
  })
})

describe('sampling', () => {
  it('starts with the first viewer, stops after the last one, and leaves no timer behind', async () => {
    const timers = () =>
      process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length
    const before = timers()
    const { url, page } = await serve({ intervalMs: 100 })
    expect(page.sampling).toBe(false)
    expect(timers()).toBeLessThanOrEqual(before)
    const stream = await openStream(`${url}/status/events`)
    await vi.waitFor(() => expect(stream.events().length).toBeGreaterThanOrEqual(2))
    expect(page.sampling).toBe(true)
    stream.close()
    await vi.waitFor(() => expect(page.clients).toBe(0))
    page.close()
    expect(page.sampling).toBe(false)
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('stops on the first snapshot without a stream or a recent poll', async () => {
    const { url, page } = await serve({ intervalMs: 100 })
    const stream = await openStream(`${url}/status/events`)
    await vi.waitFor(() => expect(stream.events().length).toBeGreaterThanOrEqual(1))
    stream.close()
    await vi.waitFor(() => expect(page.sampling).toBe(false))
  })
})

describe('what the snapshot holds', () => {
  async function twoSnapshots(served: Served, between: () => unknown = () => {}) {
    const stream = await openStream(`${served.url}/status/events`)
    await vi.waitFor(() => expect(stream.events().length).toBeGreaterThanOrEqual(1))
    await between()
    const count = stream.events().length
    await vi.waitFor(() => expect(stream.events().length).toBeGreaterThanOrEqual(count + 2))
    return stream.events().at(-1)!.data
  }

  it('puts the busiest route first, with rate, percentiles, errors and status classes', async () => {
    const served = await serve({ intervalMs: 100 })
    const latest = await twoSnapshots(served, async () => {
      for (let index = 0; index < 12; index++)
        await (await fetch(`${served.url}/items/${index}`)).text()
      await (await fetch(`${served.url}/slow/fail`)).text()
      await (await fetch(`${served.url}/nowhere`)).text()
    })
    const { routes, statuses } = latest.state.requests
    expect(routes[0]).toMatchObject({ method: 'GET', route: '/items/:id', count: 12, errors: 0 })
    expect(routes[0].p50Ms).toBeLessThanOrEqual(5)
    expect(routes.find((route: any) => route.route === '/slow')).toMatchObject({ errors: 1 })
    expect(routes.find((route: any) => route.route === '__unmatched__')).toMatchObject({ count: 1 })
    expect(statuses['2xx']).toBeGreaterThan(0)
    expect(statuses['4xx']).toBeGreaterThan(0)
    expect(statuses['5xx']).toBeGreaterThan(0)
    expect(latest.state.requests.firstBucketMs).toBe(5)
  })

  it('shows a panel per tracked primitive with its gauges, counters as rates and derived figures', async () => {
    const metrics = createMetrics({ eventLoop: false })
    const { limiter, cache, batcher } = trackOneOfEach(metrics)
    const guard = createOverloadGuard({
      maxEventLoopDelayMs: 100,
      probe: {
        read: () => ({
          eventLoopDelayMs: 500,
          eventLoopUtilization: 0.5,
          heapUsedBytes: 0,
          rssBytes: 0,
        }),
        close() {},
      },
      sampleIntervalMs: 10,
    })
    cleanups.push(() => guard.close())
    metrics.track(guard, { name: 'http' })
    const broken = new FakeLimiter()
    const untrackBroken = metrics.track(broken, { name: 'broken' })
    broken.stats = () => {
      throw new Error('/secret/path/stack')
    }
    const served = await serve({ intervalMs: 100 }, metrics)
    const latest = await twoSnapshots(served, async () => {
      limiter.state = { ...limiter.state, acquired: limiter.state.acquired + 50 }
      cache.state = { ...cache.state, hits: cache.state.hits + 3, misses: cache.state.misses + 1 }
      batcher.state = {
        ...batcher.state,
        batches: batcher.state.batches + 2,
        keys: batcher.state.keys + 10,
      }
      await vi.waitFor(() => expect(guard.stats().overloaded).toBe(true))
      guard.check()
    })
    const views = latest.state.primitives
    expect(views.map((view: any) => view.id)).toEqual([
      'limiter:db',
      'limiter:broken',
      'guard:http',
      'pool:pool',
      'batcher:batcher',
      'cache:cache',
      'queue:queue',
      'supervisor:supervisor',
    ])
    const byId = Object.fromEntries(views.map((view: any) => [view.id, view]))
    expect(byId['limiter:db'].gauges).toMatchObject({ borrowedTokens: 3, totalTokens: 40 })
    expect(byId['limiter:db'].counters.acquired[0]).toBe(170)
    expect(byId['limiter:db'].counters.acquired[1]).toBeGreaterThan(0)
    expect(byId['cache:cache'].derived.hitRatio).toBe(0.75)
    expect(byId['batcher:batcher'].derived.batchSize).toBe(5)
    expect(byId['guard:http']).toMatchObject({
      reason: 'eventLoopDelay',
      gauges: { overloaded: 1 },
    })
    expect(byId['guard:http'].shedAt).toBeTypeOf('number')
    expect(byId['limiter:broken']).toEqual({
      id: 'limiter:broken',
      kind: 'limiter',
      name: 'broken',
      ok: false,
      gauges: {},
      counters: {},
      derived: {},
    })
    expect(JSON.stringify(latest)).not.toContain('/secret/path')
    expect(latest.points.at(-1).at(-1)['limiter:db']).toEqual([3, 2])
    untrackBroken()
  })

  it('keeps the latest blocked-loop reports with their routes, newest first', async () => {
    const metrics = createMetrics({ eventLoop: false })
    metrics.detectBlocking({ thresholdMs: 50, onBlocked: () => {} })
    const served = await serve({ intervalMs: 100 }, metrics)
    const latest = await twoSnapshots(served, async () => {
      const end = metrics.startRequest({ method: 'POST', route: '/import' })
      await new Promise((resolve) => setTimeout(resolve, 20))
      const until = performance.now() + 120
      while (performance.now() < until) {}
      end({ method: 'POST', route: '/import', status: 200 })
      await vi.waitFor(() => expect(metrics.registry).toBeDefined())
    })
    const { blocks } = latest.state
    expect(blocks.thresholdMs).toBe(50)
    expect(blocks.count).toBeGreaterThanOrEqual(1)
    const block = blocks.recent.find((report: any) =>
      report.requests.some((group: any) => group.route === '/import'),
    )
    expect(block.durationMs).toBeGreaterThanOrEqual(50)
    expect(block.requests[0]).toEqual({ method: 'POST', route: '/import', count: 1 })
  })

  it('says the detector is off, and reads n/a where the runtime stubs utilization', async () => {
    vi.spyOn(performance, 'eventLoopUtilization').mockReturnValue({
      idle: 0,
      active: 0,
      utilization: 0,
    })
    const served = await serve({ intervalMs: 100 })
    const latest = await twoSnapshots(served)
    expect(latest.state.blocks.thresholdMs).toBeNull()
    expect(latest.state.loop.utilization).toBeNull()
    expect(latest.state.loop.p99Ms).toBeTypeOf('number')
    expect(latest.state.process.runtime).toMatch(/^Node \d+\./)
    expect(latest.state.process.rssBytes).toBeGreaterThan(0)
  })

  it('leaves excluded routes out of the request metrics and the blocked-loop reports', async () => {
    const { metrics, page } = await serve()
    page.excludeRoutes(['/status/events', '/status/*'])
    const stream = metrics.startRequest({ method: 'GET', route: '/status/events' })
    expect(metrics.inFlight).toBe(0)
    stream({ method: 'GET', route: '/status/events', status: 200 })
    const late = metrics.startRequest()
    expect(metrics.inFlight).toBe(1)
    late({ method: 'GET', route: '/status/*', status: 200 })
    expect(metrics.inFlight).toBe(0)
    expect(await metrics.render()).not.toContain('route="/status/events"')
    page.close()
    const after = metrics.startRequest({ method: 'GET', route: '/status/events' })
    expect(metrics.inFlight).toBe(1)
    after({ method: 'GET', route: '/status/events', status: 200 })
  })
})

describe('options', () => {
  it('refuses unknown options, durations out of range and a foreign metrics object, naming them', () => {
    const metrics = createMetrics({ eventLoop: false })
    cleanups.push(() => metrics.close())
    expect(() => metrics.statusPage({ maxClient: 2 } as StatusPageOptions)).toThrow(
      expect.objectContaining({
        code: 'LOOPWORK_INVALID_OPTION',
        message: expect.stringContaining('maxClients'),
      }),
    )
    expect(() => metrics.statusPage({ intervalMs: 50 })).toThrow(RangeError)
    expect(() => metrics.statusPage({ intervalMs: 120_000 })).toThrow(/100 to 60000/)
    expect(() => metrics.statusPage({ maxClients: 1.5 })).toThrow(RangeError)
    expect(() => metrics.statusPage({ authorize: true as never })).toThrow(TypeError)
    expect(() => metrics.statusPage({ title: '' })).toThrow(/title/)
  })
})

describe('quantileMs', () => {
  it('interpolates within the bucket like histogram_quantile, and stops at the last bound', () => {
    const bounds = [0.005, 0.01, 0.1]
    expect(quantileMs([10, 0, 0, 0], bounds, 10, 0.5)).toBe(2.5)
    expect(quantileMs([0, 10, 0, 0], bounds, 10, 0.5)).toBe(7.5)
    expect(quantileMs([5, 0, 5, 0], bounds, 10, 0.99)).toBe(98.2)
    expect(quantileMs([0, 0, 0, 4], bounds, 4, 0.5)).toBe(100)
    expect(quantileMs([0, 0, 0, 0], bounds, 0, 0.5)).toBeNull()
  })
})
