import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, type ClientRequest, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CatalogService, type RunningCatalogServer } from '@loopwork-example/catalog'
import { exchange } from '@loopwork-example/catalog/http-exchange'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { orderBodyLimitBytes, serveWithHono } from '../src/hono-app.js'

// The service against what production sends, in this process: bodies that are too large or not
// JSON, keep-alive clients at shutdown, a flood of identical errors.

interface Running {
  service: CatalogService
  server: RunningCatalogServer
  closed: boolean
}

const folders: string[] = []
const running: Running[] = []

afterEach(async () => {
  vi.restoreAllMocks()
  for (const entry of running.splice(0)) if (!entry.closed) await entry.server.close()
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

async function start(): Promise<Running> {
  const folder = mkdtempSync(join(tmpdir(), 'service-hono-'))
  folders.push(folder)
  const service = await CatalogService.open({
    databaseFile: join(folder, 'catalog.sqlite'),
    seedRows: 200,
    log: () => {},
  })
  const server = await serveWithHono(service, { host: '127.0.0.1', port: 0 })
  const entry = { service, server, closed: false }
  running.push(entry)
  return entry
}

const order = JSON.stringify({ itemId: 7, quantity: 1, email: 'ada@example.com' })

describe('the Hono service', () => {
  it('reads order bodies only as JSON (415 otherwise) and at most 16 KiB of them (413)', async () => {
    const { server, service } = await start()
    const placeOrder = vi.spyOn(service, 'placeOrder')
    const json = { 'content-type': 'application/json' }

    const placed = await exchange(`${server.url}/orders`, {
      method: 'POST',
      headers: json,
      body: order,
    })
    expect(placed.status).toBe(201)

    for (const headers of [{ 'content-type': 'text/plain' }, {}] as Record<string, string>[]) {
      const refused = await exchange(`${server.url}/orders`, {
        method: 'POST',
        headers,
        body: order,
      })
      expect(refused.status).toBe(415)
      expect(refused.headers.connection).toBe('close')
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' })
    }

    const large = JSON.stringify({ itemId: 7, quantity: 1, note: 'x'.repeat(orderBodyLimitBytes) })
    for (const chunked of [false, true]) {
      const tooLarge = await exchange(`${server.url}/orders`, {
        method: 'POST',
        headers: json,
        body: large,
        chunked,
      })
      expect(tooLarge.status).toBe(413)
      expect(tooLarge.headers.connection).toBe('close')
      expect(JSON.parse(tooLarge.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    }
    expect(placeOrder).toHaveBeenCalledTimes(1)
  })

  it('clients that open the export and stop reading hold its tokens, never search', async () => {
    const { server, service } = await start()
    vi.spyOn(service, 'exportCsv').mockImplementation(async function* () {
      const lines = `${'x'.repeat(1_023)}\n`.repeat(64)
      while (true) yield lines
    })
    const readers: ClientRequest[] = []
    try {
      for (let reader = 0; reader < 16; reader++) {
        const outgoing = request(`${server.url}/export`, { agent: false })
        outgoing.on('response', (response) => response.pause())
        outgoing.on('error', () => {})
        outgoing.end()
        readers.push(outgoing)
      }
      await vi.waitFor(() => expect(service.exportRoutes.stats().running).toBe(4), {
        timeout: 5_000,
      })
      const search = await exchange(`${server.url}/search?q=oak`)
      expect(search.status).toBe(200)
      expect(service.searchRoutes.stats()).toMatchObject({ waiting: 0, rejected: 0 })
    } finally {
      for (const reader of readers) reader.destroy()
      await vi.waitFor(() => expect(service.exportRoutes.borrowedTokens).toBe(0), {
        timeout: 5_000,
      })
    }
  })

  it('at shutdown answers a POST on a busy keep-alive connection with 503 and connection: close, never a reset', async () => {
    const entry = await start()
    const { server, service } = entry
    const placeOrder = vi.spyOn(service, 'placeOrder')
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let itemStarted!: () => void
    const started = new Promise<void>((resolve) => {
      itemStarted = resolve
    })
    const item = service.item.bind(service)
    vi.spyOn(service, 'item').mockImplementation(async (id, signal) => {
      itemStarted()
      await held
      return item(id, signal)
    })
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const lookup = exchange(`${server.url}/items/7`, { agent })
      await started
      // Queued on the same keep-alive socket, sent as soon as the lookup's response ends.
      const late = exchange(`${server.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: order,
        agent,
      })
      const closing = server.close()
      entry.closed = true
      release()
      expect((await lookup).status).toBe(200)
      const refused = await late
      expect(refused.status).toBe(503)
      expect(refused.headers.connection).toBe('close')
      expect(refused.headers['retry-after']).toBe('1')
      expect(JSON.parse(refused.body)).toMatchObject({ reason: 'shutting-down' })
      expect(placeOrder).not.toHaveBeenCalled()
      expect(await closing).toMatchObject({ timedOut: false, closedConnections: 0 })
    } finally {
      agent.destroy()
    }
  })

  it('logs a flood of identical failures once, not once per request', async () => {
    const { server, service } = await start()
    const failures = [new Error('disk I/O error')]
    vi.spyOn(service, 'order').mockImplementation(() => {
      throw failures[0]
    })
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    for (let request = 0; request < 20; request++) {
      const answer = await exchange(`${server.url}/orders/1`)
      expect(answer.status).toBe(500)
      expect(answer.body).not.toContain('disk I/O error')
    }
    expect(logged).toHaveBeenCalledTimes(1)
    expect(logged).toHaveBeenCalledWith('request failed:', failures[0])
  })
})
