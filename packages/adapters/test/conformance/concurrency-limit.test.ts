import { CapacityLimiter } from '@loopwork/limiter'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_WAIT_TIMEOUT_MS } from '../../src/index.js'
import { type Deferred, deferred } from '../support/deferred.js'
import { rawRequest, readBody, send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'

type GatedAppOptions = {
  retryAfterSeconds?: number
  timeoutMs?: number
  maxExpectedWaitMs?: number
}

describe.each(frameworks)('concurrency limit on $name', (framework) => {
  const start = serversFor(framework)

  /**
   * An app whose one route, GET /work/:id, records each request's id and holds it until the test
   * releases that id, or releases every request, those still to come included.
   */
  function gatedApp(limiter: CapacityLimiter, options: GatedAppOptions = {}) {
    const gates = new Map<string, Deferred>()
    const handled: string[] = []
    let allReleased = false
    const gateOf = (id: string) => {
      let gate = gates.get(id)
      if (gate === undefined) {
        gate = deferred()
        if (allReleased) gate.resolve()
        gates.set(id, gate)
      }
      return gate
    }
    const app = {
      concurrencyLimit: { limiter, ...options },
      routes: [
        {
          method: 'GET' as const,
          path: '/work/:id',
          async handle(request: { params: Record<string, string> }) {
            const id = request.params.id!
            handled.push(id)
            await gateOf(id).promise
            return { json: { id } }
          },
        },
      ],
    }
    const releaseAll = () => {
      allReleased = true
      for (const gate of gates.values()) gate.resolve()
    }
    return { app, handled, release: (id: string) => gateOf(id).resolve(), releaseAll }
  }

  it('answers 503 with Retry-After once the limiter queue is full, and serves the admitted ones', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 1 })
    const { app, handled, releaseAll } = gatedApp(limiter, { retryAfterSeconds: 7 })
    const server = await start(app)
    const first = rawRequest(`${server.url}/work/1`)
    await vi.waitFor(() => expect(handled).toEqual(['1']))
    const second = rawRequest(`${server.url}/work/2`)
    await vi.waitFor(() => expect(limiter.waiting).toBe(1))

    const refused = await send(`${server.url}/work/3`)
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('7')
    expect(JSON.parse(refused.body)).toEqual({
      error: 'Service Unavailable',
      reason: 'concurrency-limit',
    })
    expect(handled).toEqual(['1'])

    releaseAll()
    const [firstResponse, secondResponse] = await Promise.all([first.response, second.response])
    expect(firstResponse.statusCode).toBe(200)
    expect(JSON.parse(await readBody(firstResponse))).toEqual({ id: '1' })
    expect(secondResponse.statusCode).toBe(200)
    expect(JSON.parse(await readBody(secondResponse))).toEqual({ id: '2' })
    expect(handled).toEqual(['1', '2'])
    await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(0))
    expect(limiter.stats().rejected).toBe(1)
  })

  it('a client that disconnects while queued leaves the queue without a token ever being taken', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 10 })
    const { app, handled, releaseAll } = gatedApp(limiter)
    const server = await start(app)
    const holder = rawRequest(`${server.url}/work/holder`)
    await vi.waitFor(() => expect(handled).toEqual(['holder']))

    const leaver = rawRequest(`${server.url}/work/leaver`)
    await vi.waitFor(() => expect(limiter.waiting).toBe(1))
    leaver.disconnect()
    await vi.waitFor(() => expect(limiter.waiting).toBe(0))
    expect(limiter.stats()).toMatchObject({ acquired: 1, aborted: 1, borrowedTokens: 1 })

    releaseAll()
    expect((await holder.response).statusCode).toBe(200)
    const after = await send(`${server.url}/work/after`)
    expect(after.status).toBe(200)
    // The leaver's handler never ran and its place was never granted.
    expect(handled).toEqual(['holder', 'after'])
    expect(limiter.stats().acquired).toBe(2)
    await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(0))
  })

  it('holds the token until the response is over, then hands it to the next waiter in order', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const { app, handled, releaseAll } = gatedApp(limiter)
    const server = await start(app)
    const exchanges = ['a', 'b', 'c'].map((id) => rawRequest(`${server.url}/work/${id}`))
    await vi.waitFor(() => expect(limiter.waiting).toBe(2))
    expect(handled).toHaveLength(1)
    releaseAll()
    const responses = await Promise.all(exchanges.map((exchange) => exchange.response))
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200])
    expect(handled).toHaveLength(3)
    await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(0))
  })

  it('refuses with 503 a request that waited longer than timeoutMs', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const { app, handled, releaseAll } = gatedApp(limiter, { timeoutMs: 20 })
    const server = await start(app)
    const holder = rawRequest(`${server.url}/work/holder`)
    await vi.waitFor(() => expect(handled).toEqual(['holder']))
    const late = await send(`${server.url}/work/late`)
    expect(late.status).toBe(503)
    expect(late.headers['retry-after']).toBe('1')
    expect(limiter.stats().timedOut).toBe(1)
    releaseAll()
    expect((await holder.response).statusCode).toBe(200)
    expect(handled).toEqual(['holder'])
  })

  describe('with a controlled service time', () => {
    let clock = 0
    beforeEach(() => {
      clock = 0
      // The limit measures how long requests hold their token with performance.now(): the test
      // sets that time instead of waiting for it.
      vi.spyOn(performance, 'now').mockImplementation(() => clock)
    })
    afterEach(() => {
      vi.restoreAllMocks()
    })

    /** One request that holds its token for `milliseconds` of the controlled clock. */
    async function serveOne(
      url: string,
      gated: ReturnType<typeof gatedApp>,
      id: string,
      ms: number,
    ) {
      const exchange = rawRequest(`${url}/work/${id}`)
      await vi.waitFor(() => expect(gated.handled).toContain(id))
      clock += ms
      gated.release(id)
      const response = await exchange.response
      await readBody(response)
      return response.statusCode
    }

    it('refuses at once a request whose expected wait is past maxExpectedWaitMs, and queues the others', async () => {
      const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 100 })
      const gated = gatedApp(limiter, { timeoutMs: 60_000, maxExpectedWaitMs: 1_500 })
      const server = await start(gated.app)
      // One request held its token for 1 s: the recent service time is 1 s.
      expect(await serveOne(server.url, gated, 'measured', 1_000)).toBe(200)
      await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(0))

      const holder = rawRequest(`${server.url}/work/holder`)
      await vi.waitFor(() => expect(gated.handled).toContain('holder'))
      // Nobody ahead: 1 x 1 s / 1 token = 1 s expected, within 1.5 s: it queues.
      const queued = rawRequest(`${server.url}/work/queued`)
      await vi.waitFor(() => expect(limiter.waiting).toBe(1))
      // One ahead: 2 x 1 s = 2 s expected, past 1.5 s: refused at once, without queueing.
      const refused = await send(`${server.url}/work/refused`)
      expect(refused.status).toBe(503)
      expect(refused.headers['retry-after']).toBe('1')
      expect(JSON.parse(refused.body)).toEqual({
        error: 'Service Unavailable',
        reason: 'concurrency-limit',
      })
      expect(limiter.waiting).toBe(1)
      expect(limiter.stats()).toMatchObject({ rejected: 0, timedOut: 0 })
      expect(gated.handled).toEqual(['measured', 'holder'])

      gated.release('holder')
      gated.release('queued')
      expect((await holder.response).statusCode).toBe(200)
      expect((await queued.response).statusCode).toBe(200)
      expect(gated.handled).toEqual(['measured', 'holder', 'queued'])
    })

    it('by default refuses up front what would wait past timeoutMs, counting every token', async () => {
      const limiter = new CapacityLimiter({ totalTokens: 2, maxWaiting: 100 })
      const gated = gatedApp(limiter, { timeoutMs: 1_000 })
      const server = await start(gated.app)
      expect(await serveOne(server.url, gated, 'measured', 800)).toBe(200)
      await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(0))
      const holders = ['a', 'b'].map((id) => rawRequest(`${server.url}/work/${id}`))
      await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(2))
      // (waiting + 1) x 800 ms / 2 tokens: 400, 800, then 1,200 ms, past the 1 s timeout.
      const waiting = ['w1', 'w2'].map((id) => rawRequest(`${server.url}/work/${id}`))
      await vi.waitFor(() => expect(limiter.waiting).toBe(2))
      const refused = await send(`${server.url}/work/refused`)
      expect(refused.status).toBe(503)
      expect(limiter.waiting).toBe(2)
      for (const id of ['a', 'b', 'w1', 'w2']) gated.release(id)
      const statuses = await Promise.all(
        [...holders, ...waiting].map(async (exchange) => (await exchange.response).statusCode),
      )
      expect(statuses).toEqual([200, 200, 200, 200])
      expect(gated.handled).not.toContain('refused')
    })

    it('admits every request while no request has finished yet (no estimate), and with Infinity', async () => {
      const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 100 })
      const gated = gatedApp(limiter, { timeoutMs: 60_000, maxExpectedWaitMs: 1 })
      const server = await start(gated.app)
      const holder = rawRequest(`${server.url}/work/holder`)
      await vi.waitFor(() => expect(gated.handled).toEqual(['holder']))
      const queued = ['q1', 'q2'].map((id) => rawRequest(`${server.url}/work/${id}`))
      await vi.waitFor(() => expect(limiter.waiting).toBe(2))
      for (const id of ['holder', 'q1', 'q2']) gated.release(id)
      expect((await holder.response).statusCode).toBe(200)
      for (const exchange of queued) expect((await exchange.response).statusCode).toBe(200)

      const unbounded = new CapacityLimiter({ totalTokens: 1, maxWaiting: 100 })
      const open = gatedApp(unbounded, { timeoutMs: 60_000, maxExpectedWaitMs: Infinity })
      const openServer = await start(open.app)
      expect(await serveOne(openServer.url, open, 'measured', 60_000)).toBe(200)
      await vi.waitFor(() => expect(unbounded.borrowedTokens).toBe(0))
      const openHolder = rawRequest(`${openServer.url}/work/holder`)
      await vi.waitFor(() => expect(open.handled).toContain('holder'))
      const openQueued = ['q1', 'q2'].map((id) => rawRequest(`${openServer.url}/work/${id}`))
      await vi.waitFor(() => expect(unbounded.waiting).toBe(2))
      for (const id of ['holder', 'q1', 'q2']) open.release(id)
      expect((await openHolder.response).statusCode).toBe(200)
      for (const exchange of openQueued) expect((await exchange.response).statusCode).toBe(200)
    })
  })

  it('bounds every wait by default: the limiter is asked for at most DEFAULT_WAIT_TIMEOUT_MS', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const acquire = vi.spyOn(limiter, 'acquire')
    const { app, handled, releaseAll } = gatedApp(limiter)
    const server = await start(app)
    const holder = rawRequest(`${server.url}/work/holder`)
    await vi.waitFor(() => expect(handled).toEqual(['holder']))
    const waiter = rawRequest(`${server.url}/work/waiter`)
    await vi.waitFor(() => expect(limiter.waiting).toBe(1))
    expect(acquire).toHaveBeenCalledTimes(1)
    expect(acquire.mock.calls[0]![0]).toMatchObject({ timeoutMs: DEFAULT_WAIT_TIMEOUT_MS })
    expect(DEFAULT_WAIT_TIMEOUT_MS).toBe(5_000)
    releaseAll()
    expect((await holder.response).statusCode).toBe(200)
    expect((await waiter.response).statusCode).toBe(200)
  })

  it('rejects bad options with an error naming the option', async () => {
    await expect(
      framework.start({ concurrencyLimit: { limiter: {} as CapacityLimiter }, routes: [] }),
    ).rejects.toThrow(/limiter must be an object with tryAcquire\(\), acquire\(\)/)
    await expect(
      framework.start({
        concurrencyLimit: { limiter: new CapacityLimiter(), retryAfterSeconds: -1 },
        routes: [],
      }),
    ).rejects.toThrow(
      /retryAfterSeconds must be an integer from 0 to Number.MAX_SAFE_INTEGER, got -1/,
    )
    await expect(
      framework.start({
        concurrencyLimit: { limiter: new CapacityLimiter(), maxExpectedWaitMs: 3_000_000_000 },
        routes: [],
      }),
    ).rejects.toThrow(/maxExpectedWaitMs must be a number of milliseconds from 0 to 2147483647/)
    await expect(
      framework.start({
        concurrencyLimit: { limiter: new CapacityLimiter(), maxExpectedWaitMS: 100 } as never,
        routes: [],
      }),
    ).rejects.toThrow(/Unknown option "maxExpectedWaitMS".*did you mean "maxExpectedWaitMs"/)
  })
})
