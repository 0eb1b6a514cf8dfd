// The hardening scenarios every catalog service's test runs against its server in the test's own
// process: bodies that are too large or not JSON, clients that stop reading the export, keep-alive
// clients at shutdown, a flood of identical errors. One suite, so the three services are held to
// the same behaviour; each service says how it starts and what its framework answers in its own
// words where that differs from what @loopwork/adapters answers.
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, type ClientRequest, request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CatalogService } from '../catalog-service.js'
import { type Answer, exchange } from '../http-exchange.js'
import type { ListenAddress, RunningCatalogServer } from '../service-runner.js'

/** Where a framework with a logger of its own writes its log lines. */
export interface LogStream {
  write(line: string): void
}

/** What a refusal carries besides its status and `connection: close`. */
export interface ExpectedRefusal {
  /** Headers the answer has, with these values. */
  headers?: Record<string, string>
  /** What the answer's JSON body matches. */
  body: object
}

/** How one framework's catalog service starts, and where it answers or logs in its own way. */
export interface HardeningSuiteOptions {
  /** The framework's name, as the test titles show it: `the Express service`. */
  framework: string
  /** The largest order body the service reads, in bytes. */
  orderBodyLimitBytes: number
  /** Serves `service` at `address`; a framework with a logger of its own writes it to `logStream`. */
  serve(
    service: CatalogService,
    address: ListenAddress,
    logStream: LogStream,
  ): Promise<RunningCatalogServer>
  /** The answer to an order body past the limit. By default the catalog's `PAYLOAD_TOO_LARGE`. */
  tooLarge?: ExpectedRefusal
  /**
   * The answer to a request that arrives while the server closes. By default the refusal of
   * @loopwork/adapters' shutdown: `retry-after: 1` and the reason `shutting-down`.
   */
  shuttingDown?: ExpectedRefusal
  /**
   * Starts watching where the service reports a failed request (`logLines` are what it wrote to
   * the `logStream` of {@link HardeningSuiteOptions.serve}) and returns a function that lists the
   * reports made since, one entry each. By default every console.error call, where
   * `createErrorLog()` of @loopwork/adapters writes.
   */
  watchFailureReports?(logLines: readonly string[]): () => readonly unknown[]
  /** What the one report of `failure` matches. By default `['request failed:', failure]`. */
  failureReport?(failure: Error): object
}

interface Running {
  service: CatalogService
  server: RunningCatalogServer
  logLines: string[]
  closed: boolean
}

const order = JSON.stringify({ itemId: 7, quantity: 1, email: 'ada@example.com' })

function watchConsoleErrors(): () => readonly unknown[] {
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
  return () => logged.mock.calls
}

/**
 * Registers, in a `describe` named after the framework, the tests every catalog service passes
 * against what production sends. Each test starts its own server on a fresh 200-item database and
 * closes it afterwards.
 */
export function hardeningSuite(options: HardeningSuiteOptions): void {
  const {
    framework,
    orderBodyLimitBytes,
    tooLarge = { body: { code: 'PAYLOAD_TOO_LARGE' } },
    shuttingDown = { headers: { 'retry-after': '1' }, body: { reason: 'shutting-down' } },
    watchFailureReports = watchConsoleErrors,
    failureReport = (failure: Error) => ['request failed:', failure],
  } = options
  const folders: string[] = []
  const running: Running[] = []

  async function start(): Promise<Running> {
    const folder = mkdtempSync(join(tmpdir(), `service-${framework.toLowerCase()}-`))
    folders.push(folder)
    const service = await CatalogService.open({
      databaseFile: join(folder, 'catalog.sqlite'),
      seedRows: 200,
      log: () => {},
    })
    const logLines: string[] = []
    const server = await options.serve(
      service,
      { host: '127.0.0.1', port: 0 },
      { write: (line) => logLines.push(line) },
    )
    const entry = { service, server, logLines, closed: false }
    running.push(entry)
    return entry
  }

  function expectRefusal(answer: Answer, expected: ExpectedRefusal): void {
    expect(answer.headers).toMatchObject({ connection: 'close', ...expected.headers })
    expect(JSON.parse(answer.body)).toMatchObject(expected.body)
  }

  describe(`the ${framework} service`, () => {
    afterEach(async () => {
      vi.restoreAllMocks()
      for (const entry of running.splice(0)) if (!entry.closed) await entry.server.close()
      for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
    })

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
        expectRefusal(refused, { body: { code: 'UNSUPPORTED_MEDIA_TYPE' } })
      }

      const large = JSON.stringify({
        itemId: 7,
        quantity: 1,
        note: 'x'.repeat(orderBodyLimitBytes),
      })
      for (const chunked of [false, true]) {
        const refused = await exchange(`${server.url}/orders`, {
          method: 'POST',
          headers: json,
          body: large,
          chunked,
        })
        expect(refused.status).toBe(413)
        expectRefusal(refused, tooLarge)
      }
      expect(placeOrder).toHaveBeenCalledTimes(1)
    })

    it('answers 413 to a body past 16 KiB before reading the rest: a declared 10 GB, an endless chunked body', async () => {
      const { server, service } = await start()
      const placeOrder = vi.spyOn(service, 'placeOrder')
      const { port } = new URL(server.url)
      const heads = [
        'Content-Length: 10000000000\r\n\r\n{"itemId":7',
        `Transfer-Encoding: chunked\r\n\r\n4e20\r\n${'x'.repeat(20_000)}\r\n`,
      ]
      for (const head of heads) {
        // The body is never finished: the answer must come while the client is still sending.
        const socket = connect({ host: '127.0.0.1', port: Number(port) })
        let received = ''
        socket.setEncoding('utf8')
        socket.on('data', (chunk: string) => {
          received += chunk
        })
        socket.on('error', () => {})
        socket.write(
          `POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${head}`,
        )
        await vi.waitFor(() => expect(received).toMatch(/^HTTP\/1\.1 413 /), { timeout: 5_000 })
        expect(received.toLowerCase()).toContain('connection: close')
        socket.destroy()
      }
      expect(placeOrder).not.toHaveBeenCalled()
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
        // Settled together, so a failed check below leaves no rejection unobserved.
        const [looked, refused, closed] = await Promise.all([lookup, late, closing])
        expect(looked.status).toBe(200)
        expect(refused.status).toBe(503)
        expectRefusal(refused, shuttingDown)
        expect(placeOrder).not.toHaveBeenCalled()
        expect(closed).toMatchObject({ timedOut: false, closedConnections: 0 })
      } finally {
        agent.destroy()
      }
    })

    it('logs a flood of identical failures once, not once per request', async () => {
      const { server, service, logLines } = await start()
      const failure = new Error('disk I/O error')
      vi.spyOn(service, 'order').mockImplementation(() => {
        throw failure
      })
      const reported = watchFailureReports(logLines)
      for (let request = 0; request < 20; request++) {
        const answer = await exchange(`${server.url}/orders/1`)
        expect(answer.status).toBe(500)
        expect(answer.body).not.toContain('disk I/O error')
      }
      const reports = reported()
      expect(reports).toHaveLength(1)
      expect(reports[0]).toMatchObject(failureReport(failure))
    })
  })
}
