import { CapacityLimiter } from '@loopwork/limiter'
import { describe, expect, it, vi } from 'vitest'
import { deferred } from '../support/deferred.js'
import { rawRequest, readBody, send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'

describe.each(frameworks)('concurrency limit on $name', (framework) => {
  const start = serversFor(framework)

  function slowApp(
    limiter: CapacityLimiter,
    options: { retryAfterSeconds?: number; timeoutMs?: number } = {},
  ) {
    const gate = deferred()
    const handled: string[] = []
    const app = {
      concurrencyLimit: { limiter, ...options },
      routes: [
        {
          method: 'GET' as const,
          path: '/work/:id',
          async handle(request: { params: Record<string, string> }) {
            handled.push(request.params.id!)
            await gate.promise
            return { json: { id: request.params.id } }
          },
        },
      ],
    }
    return { app, gate, handled }
  }

  it('answers 503 with Retry-After once the limiter queue is full, and serves the admitted ones', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 1 })
    const { app, gate, handled } = slowApp(limiter, { retryAfterSeconds: 7 })
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

    gate.resolve()
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
    const { app, gate, handled } = slowApp(limiter)
    const server = await start(app)
    const holder = rawRequest(`${server.url}/work/holder`)
    await vi.waitFor(() => expect(handled).toEqual(['holder']))

    const leaver = rawRequest(`${server.url}/work/leaver`)
    await vi.waitFor(() => expect(limiter.waiting).toBe(1))
    leaver.disconnect()
    await vi.waitFor(() => expect(limiter.waiting).toBe(0))
    expect(limiter.stats()).toMatchObject({ acquired: 1, aborted: 1, borrowedTokens: 1 })

    gate.resolve()
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
    const { app, gate, handled } = slowApp(limiter)
    const server = await start(app)
    const exchanges = ['a', 'b', 'c'].map((id) => rawRequest(`${server.url}/work/${id}`))
    await vi.waitFor(() => expect(limiter.waiting).toBe(2))
    expect(handled).toHaveLength(1)
    gate.resolve()
    const responses = await Promise.all(exchanges.map((exchange) => exchange.response))
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200])
    expect(handled).toHaveLength(3)
    await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(0))
  })

  it('refuses with 503 a request that waited longer than timeoutMs', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const { app, gate, handled } = slowApp(limiter, { timeoutMs: 20 })
    const server = await start(app)
    const holder = rawRequest(`${server.url}/work/holder`)
    await vi.waitFor(() => expect(handled).toEqual(['holder']))
    const late = await send(`${server.url}/work/late`)
    expect(late.status).toBe(503)
    expect(late.headers['retry-after']).toBe('1')
    expect(limiter.stats().timedOut).toBe(1)
    gate.resolve()
    expect((await holder.response).statusCode).toBe(200)
    expect(handled).toEqual(['holder'])
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
  })
})
