import { Agent, type IncomingMessage, request } from 'node:http'
import { TaskSupervisor } from '@loopwork/background-tasks'
import { describe, expect, it, vi } from 'vitest'
import { deferred } from '../support/deferred.js'
import { rawRequest, readBody, send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'
import type { TestRequest } from './test-app.js'

describe.each(frameworks)('graceful shutdown on $name', (framework) => {
  const start = serversFor(framework)

  it('stops new work, lets the request in flight finish, then drains its background tasks', async () => {
    const supervisor = new TaskSupervisor({ name: 'after-response' })
    const handlerStarted = deferred()
    const releaseHandler = deferred()
    const releaseTask = deferred()
    const order: string[] = []
    const server = await start({
      backgroundTasks: { supervisor },
      shutdown: { timeoutMs: 10_000, resources: [supervisor] },
      routes: [
        {
          method: 'GET',
          path: '/order',
          async handle(request: TestRequest) {
            request.backgroundTasks!.add(async function sendReceipt() {
              order.push('task started')
              await releaseTask.promise
              order.push('task finished')
            })
            handlerStarted.resolve()
            await releaseHandler.promise
            return { json: { ordered: true } }
          },
        },
      ],
    })
    const inFlight = rawRequest(`${server.url}/order`)
    await handlerStarted.promise

    let finished = false
    const shuttingDown = server.shutdown().then((report) => {
      finished = true
      return report
    })
    // No new connection is accepted any more.
    await vi.waitFor(() => expect(send(`${server.url}/order`)).rejects.toThrow(/ECONNREFUSED/))

    releaseHandler.resolve()
    const response = await inFlight.response
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(await readBody(response))).toEqual({ ordered: true })
    await vi.waitFor(() => expect(order).toEqual(['task started']))
    expect(finished).toBe(false)

    releaseTask.resolve()
    const report = await shuttingDown
    expect(order).toEqual(['task started', 'task finished'])
    expect(report).toEqual({
      timedOut: false,
      closedConnections: 0,
      resources: [{ name: 'after-response', outcome: 'drained', aborted: [] }],
    })
  })

  it('at the deadline closes the connections still busy, aborts unfinished work and reports it', async () => {
    const supervisor = new TaskSupervisor({ name: 'after-response' })
    const handlerStarted = deferred()
    const never = new Promise<never>(() => {})
    let skippedTaskRan = false
    const reindexGate = deferred()
    const server = await start({
      backgroundTasks: { supervisor },
      shutdown: { timeoutMs: 300, resources: [supervisor] },
      routes: [
        {
          method: 'GET',
          path: '/quick',
          handle(request: TestRequest) {
            request.backgroundTasks!.add(function reindex() {
              return reindexGate.promise
            })
            request.backgroundTasks!.add(function notify() {
              skippedTaskRan = true
            })
            return { text: 'done' }
          },
        },
        {
          method: 'GET',
          path: '/stuck',
          async handle() {
            handlerStarted.resolve()
            return never
          },
        },
      ],
    })
    expect((await send(`${server.url}/quick`)).status).toBe(200)
    await vi.waitFor(() => expect(supervisor.stats().running).toBe(1))
    const stuck = rawRequest(`${server.url}/stuck`)
    await handlerStarted.promise

    const report = await server.shutdown()
    await expect(stuck.response).rejects.toThrow()
    // The running task ends after the deadline; the aborted run skips the tasks not yet started.
    reindexGate.resolve()
    await new Promise((resolve) => setImmediate(resolve))
    expect(skippedTaskRan).toBe(false)
    expect(report.timedOut).toBe(true)
    expect(report.closedConnections).toBe(1)
    expect(report.resources).toEqual([
      {
        name: 'after-response',
        outcome: 'aborted',
        aborted: [expect.objectContaining({ name: 'background-tasks' })],
      },
    ])
  })

  it('closes keep-alive connections that were busy when shutdown began, without waiting for their timeout', async () => {
    const handlerStarted = deferred()
    const releaseHandler = deferred()
    // Every framework's keep-alive timeout is 5 s or more: a connection left to it would still be
    // open at this deadline and be counted in closedConnections.
    const server = await start({
      shutdown: { timeoutMs: 2_000 },
      routes: [
        {
          method: 'GET',
          path: '/',
          async handle() {
            handlerStarted.resolve()
            await releaseHandler.promise
            return { text: 'bye' }
          },
        },
      ],
    })
    // fetch keeps its connection alive by default.
    const response = fetch(`${server.url}/`)
    await handlerStarted.promise
    const shuttingDown = server.shutdown()
    releaseHandler.resolve()
    expect(await (await response).text()).toBe('bye')
    const report = await shuttingDown
    expect(report).toEqual({ timedOut: false, closedConnections: 0, resources: [] })
  })
  it('keep-alive clients: idle connections close first, a request on a busy one gets a clean 503 with connection: close', async () => {
    const handlerStarted = deferred()
    const releaseHandler = deferred()
    const ordersHandled: unknown[] = []
    const server = await start({
      shutdown: { timeoutMs: 10_000 },
      routes: [
        { method: 'GET', path: '/ping', handle: () => ({ text: 'pong' }) },
        {
          method: 'GET',
          path: '/slow',
          async handle() {
            handlerStarted.resolve()
            await releaseHandler.promise
            return { text: 'slow done' }
          },
        },
        {
          method: 'POST',
          path: '/orders',
          handle: (incoming) => {
            ordersHandled.push(incoming.headers['content-type'])
            return { status: 201, json: { ordered: true } }
          },
        },
      ],
    })
    const idleAgent = new Agent({ keepAlive: true })
    const busyAgent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      // An idle keep-alive connection, parked in its agent's pool.
      const ping = await exchange(idleAgent, `${server.url}/ping`)
      expect([ping.status, ping.body]).toEqual([200, 'pong'])
      const idleSocket = Object.values(idleAgent.freeSockets).flat()[0]!
      const idleClosed = new Promise((resolve) => idleSocket.once('close', resolve))

      // A busy keep-alive connection, and a POST queued behind its request on the same socket.
      const slow = exchange(busyAgent, `${server.url}/slow`)
      await handlerStarted.promise
      const order = exchange(busyAgent, `${server.url}/orders`, {
        method: 'POST',
        body: '{"itemId":1}',
      })

      const shuttingDown = server.shutdown()
      await idleClosed
      releaseHandler.resolve()
      const slowAnswer = await slow
      expect([slowAnswer.status, slowAnswer.body]).toEqual([200, 'slow done'])
      // The POST reached the server on the busy connection after shutdown began: a clean answer
      // that says it was not processed, never a reset.
      const orderAnswer = await order
      expect(orderAnswer.status).toBe(503)
      expect(orderAnswer.headers.connection).toBe('close')
      if (framework.name !== 'fastify') {
        // Fastify answers these itself, with its own body and without Retry-After.
        expect(orderAnswer.headers['retry-after']).toBe('1')
        expect(JSON.parse(orderAnswer.body)).toEqual({
          error: 'Service Unavailable',
          reason: 'shutting-down',
        })
      }
      expect(ordersHandled).toEqual([])
      expect(await shuttingDown).toEqual({ timedOut: false, closedConnections: 0, resources: [] })
    } finally {
      idleAgent.destroy()
      busyAgent.destroy()
    }
  })

  it('adopts what a resource returns once: a lazy thenable runs once, and Infinity means no deadline', async () => {
    let runs = 0
    const lazyClose = {
      // A query-builder style thenable: every then() call would run the work again.
      // biome-ignore lint/suspicious/noThenProperty: a lazy thenable is what this test is about
      then(resolve: (value: unknown) => void) {
        runs++
        setTimeout(() => resolve(undefined), 5)
      },
    }
    const server = await start({
      shutdown: {
        timeoutMs: Number.POSITIVE_INFINITY,
        resources: [{ name: 'lazy', close: () => lazyClose }],
      },
      routes: [],
    })
    const report = await server.shutdown()
    expect(runs).toBe(1)
    expect(report).toEqual({
      timedOut: false,
      closedConnections: 0,
      resources: [{ name: 'lazy', outcome: 'drained', aborted: [] }],
    })
  })
})

/** A request through `agent`, resolving with its status, headers and body text. */
function exchange(
  agent: Agent,
  url: string,
  options: { method?: string; body?: string } = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        agent,
        method: options.method ?? 'GET',
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (response) => {
        readBody(response).then(
          (body) => resolve({ status: response.statusCode!, headers: response.headers, body }),
          reject,
        )
      },
    )
    outgoing.once('error', reject)
    outgoing.end(options.body)
  })
}
