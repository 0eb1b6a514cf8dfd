import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { createMetrics, type Metrics } from '@loopwork/metrics'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as expressAdapters from '../../src/express/index.js'
import * as fastifyAdapters from '../../src/fastify/index.js'
import * as honoAdapters from '../../src/hono/index.js'

/** What each framework's mount gives the contract: where it listens and how to stop it. */
interface Mounted {
  url: string
  close(): Promise<void>
  /** The framework's graceful shutdown (the adapters' `shutdown()`, Fastify's `app.close()`). */
  shutdown(): Promise<{ timedOut: boolean } | undefined>
}

type Authorize = (subject: unknown) => boolean | Promise<boolean>

interface MountOptions {
  metrics: Metrics
  authorize?: Authorize
  maxClients?: number
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}

/** Each framework mounts the page at /status the way its README says, with request metrics and a route. */
const frameworks: { name: string; mount(options: MountOptions): Promise<Mounted> }[] = [
  {
    name: 'Express',
    async mount({ metrics, ...options }) {
      const app = express()
      app.use('/status', expressAdapters.statusPage({ metrics, ...options }))
      app.use(expressAdapters.requestMetrics({ metrics }))
      app.get('/items/:id', (request, response) => {
        response.json({ id: request.params.id })
      })
      const server = createServer(app)
      return {
        url: await listen(server),
        close: async () => {
          if (server.listening) await closeServer(server)
        },
        shutdown: () => expressAdapters.shutdown(server, { timeoutMs: 10_000 }),
      }
    },
  },
  {
    name: 'Fastify',
    async mount({ metrics, ...options }) {
      const app = Fastify()
      await app.register(fastifyAdapters.requestMetrics, { metrics })
      await app.register(fastifyAdapters.statusPage, { metrics, prefix: '/status', ...options })
      app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }))
      await app.listen({ host: '127.0.0.1', port: 0 })
      const { port } = app.server.address() as AddressInfo
      return {
        url: `http://127.0.0.1:${port}`,
        close: async () => {
          app.server.closeAllConnections()
          await app.close()
        },
        shutdown: async () => {
          await app.close()
          return undefined
        },
      }
    },
  },
  {
    name: 'Hono',
    async mount({ metrics, ...options }) {
      const app = new Hono()
      app.get('/status/*', honoAdapters.statusPage({ metrics, ...options }))
      app.use(honoAdapters.requestMetrics({ metrics }))
      app.get('/items/:id', (context) => context.json({ id: context.req.param('id') }))
      const server = createServer(getRequestListener(app.fetch))
      return {
        url: await listen(server),
        close: async () => {
          if (server.listening) await closeServer(server)
        },
        shutdown: () => honoAdapters.shutdown(server, { timeoutMs: 10_000 }),
      }
    },
  },
]

/** Reads a text/event-stream until `count` frames with data arrived; returns their JSON. */
async function readEvents(response: Response, count: number): Promise<any[]> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const events: any[] = []
  while (events.length < count) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
    let end = text.indexOf('\n\n')
    while (end !== -1) {
      const frame = text.slice(0, end)
      text = text.slice(end + 2)
      const data = frame.split('\n').find((line) => line.startsWith('data: '))
      if (data !== undefined) events.push(JSON.parse(data.slice(6)))
      end = text.indexOf('\n\n')
    }
  }
  await reader.cancel()
  return events
}

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe.each(frameworks)('status page on $name', (framework) => {
  async function start(options: Omit<MountOptions, 'metrics'> = {}) {
    const metrics = createMetrics({ eventLoop: false })
    const server = await framework.mount({ metrics, ...options })
    cleanups.push(
      () => metrics.close(),
      () => server.close(),
    )
    return { metrics, url: server.url, server }
  }

  it('serves the page at the mount path, with and without a trailing slash, under a strict policy', async () => {
    const { url } = await start()
    for (const path of ['/status', '/status/']) {
      const response = await fetch(`${url}${path}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(response.headers.get('content-security-policy')).toMatch(
        /^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/,
      )
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
      expect(await response.text()).toContain('<title>loopwork status</title>')
    }
    expect((await fetch(`${url}/status/nothing-here`)).status).toBe(404)
  })

  it('streams snapshots with the routes of the app and polls the same JSON, without measuring itself', async () => {
    const { metrics, url } = await start()
    for (let index = 0; index < 5; index++) await (await fetch(`${url}/items/${index}`)).text()
    const stream = await fetch(`${url}/status/events`)
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(stream.headers.get('x-accel-buffering')).toBe('no')
    expect(stream.headers.get('cache-control')).toContain('no-transform')
    expect(stream.headers.get('content-encoding')).toBeNull()
    // The open stream is not a request in flight (it would sit in every blocked-loop report).
    await vi.waitFor(() => expect(metrics.inFlight).toBe(0))
    const [first, second] = await readEvents(stream, 2)
    expect(first.state.requests.routes.map((route: any) => route.route)).toContain('/items/:id')
    expect(second.state.seq).toBeGreaterThan(first.state.seq)
    const poll = await fetch(`${url}/status/snapshot?after=${second.state.seq}`)
    expect(poll.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const polled = (await poll.json()) as { state: any; points: number[][] }
    const routes = polled.state.requests.routes.map((route: any) => route.route)
    expect(routes).toContain('/items/:id')
    expect(routes.filter((route: string) => route.startsWith('/status'))).toEqual([])
    for (const point of polled.points) expect(point[0]).toBeGreaterThan(second.state.seq)
  })

  it('asks authorize with the framework request for the page, the snapshot and the stream', async () => {
    const seen: unknown[] = []
    const { url } = await start({
      authorize: async (subject) => {
        seen.push(subject)
        return false
      },
    })
    for (const path of ['/status/', '/status/snapshot', '/status/events']) {
      const response = await fetch(`${url}${path}`)
      expect(response.status, path).toBe(403)
      expect(await response.text()).toBe('Forbidden\n')
    }
    expect(seen).toHaveLength(3)
    for (const subject of seen) expect(subject).toBeTypeOf('object')
  })

  it('answers 503 past maxClients streams, so the page falls back to polling', async () => {
    const { url } = await start({ maxClients: 1 })
    const first = await fetch(`${url}/status/events`)
    expect(first.status).toBe(200)
    const second = await fetch(`${url}/status/events`)
    expect(second.status).toBe(503)
    expect(second.headers.get('retry-after')).toBe('30')
    expect((await fetch(`${url}/status/snapshot`)).status).toBe(200)
    await first.body!.cancel()
  })

  it('ends its streams when a graceful shutdown begins, so an open page does not hold it up', async () => {
    const { url, server } = await start()
    const stream = await fetch(`${url}/status/events`)
    const reader = stream.body!.getReader()
    await reader.read()
    const report = await server.shutdown()
    let done = false
    while (!done) done = (await reader.read()).done
    expect(report?.timedOut ?? false).toBe(false)
  })

  it('ends its streams when the metrics close', async () => {
    const { metrics, url } = await start()
    const stream = await fetch(`${url}/status/events`)
    const reader = stream.body!.getReader()
    await reader.read()
    metrics.close()
    let done = false
    while (!done) done = (await reader.read()).done
    expect(done).toBe(true)
    expect((await fetch(`${url}/status/`)).status).toBe(503)
  })
})

describe('status page options in the adapters', () => {
  it('refuses a metrics without statusPage() and misspelled options, naming them', () => {
    expect(() => expressAdapters.statusPage({ metrics: {} as Metrics })).toThrow(
      /statusPage\(\) options\.metrics must be an object with statusPage\(\)/,
    )
    const metrics = createMetrics({ eventLoop: false })
    cleanups.push(() => metrics.close())
    expect(() =>
      honoAdapters.statusPage({ metrics, maxClient: 3 } as unknown as { metrics: Metrics }),
    ).toThrow(/maxClients/)
  })
})
