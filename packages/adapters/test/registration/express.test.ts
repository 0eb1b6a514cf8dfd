import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { type BackgroundTasks, TaskSupervisor } from '@loopwork/background-tasks'
import { CapacityLimiter } from '@loopwork/limiter'
import { createMetrics } from '@loopwork/metrics'
import { WorkerPool } from '@loopwork/thread-offload'
import express, { type Request } from 'express'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import {
  backgroundTasks,
  concurrencyLimit,
  offload,
  requestMetrics,
} from '../../src/express/index.js'
import { deferred } from '../support/deferred.js'
import { rawRequest, send } from '../support/http-client.js'
import { parseSamples, sampleValue } from '../support/prometheus-text.js'

type Tasks = typeof import('../fixtures/tasks.js')

const closers: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  closers.push(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('Express registration and typing', () => {
  it('types request.backgroundTasks through declaration merging and exposes the supervisor', () => {
    expectTypeOf<Request['backgroundTasks']>().toEqualTypeOf<BackgroundTasks>()
    const supervisor = new TaskSupervisor({ name: 'mine' })
    expect(backgroundTasks({ supervisor }).supervisor).toBe(supervisor)
    expect(backgroundTasks().supervisor).toBeInstanceOf(TaskSupervisor)
  })

  it('limits one route when the middleware is given to that route only', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 0 })
    const gate = deferred()
    const app = express()
    app.get('/limited', concurrencyLimit({ limiter }), async (_request, response) => {
      await gate.promise
      response.send('limited')
    })
    app.get('/free', (_request, response) => {
      response.send('free')
    })
    const url = await listen(app)
    const held = rawRequest(`${url}/limited`)
    await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(1))
    expect((await send(`${url}/limited`)).status).toBe(503)
    expect((await send(`${url}/free`)).body).toBe('free')
    gate.resolve()
    expect((await held.response).statusCode).toBe(200)
  })

  it('labels routes of a mounted router with the mount path and the route template', async () => {
    const metrics = createMetrics()
    const app = express()
    app.use(requestMetrics({ metrics }))
    const router = express.Router()
    router.get('/users/:id', (_request, response) => {
      response.json({})
    })
    app.use('/api', router)
    const url = await listen(app)
    await send(`${url}/api/users/9`)
    await vi.waitFor(() => expect(metrics.inFlight).toBe(0))
    const samples = parseSamples(await metrics.render())
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', { route: '/api/users/:id' }),
    ).toBe(1)
  })

  it('types offload() from the task module: task names and argument lists are checked', () => {
    const pool = new WorkerPool<Tasks>({
      module: new URL('../fixtures/tasks.js', import.meta.url),
      minThreads: 0,
    })
    closers.push(() => pool.destroy())
    offload(pool, 'fib', (request) => {
      expectTypeOf(request).toEqualTypeOf<Request>()
      return [Number(request.params.n)]
    })
    // @ts-expect-error: the module exports no task of that name
    expect(() => offload(pool, 'nope', () => [])).not.toThrow()
    // @ts-expect-error: fib takes one number, not a string
    offload(pool, 'fib', () => ['30'])
    expect(() => offload(pool, '' as 'fib', () => [1])).toThrow(
      /offload\(\) task must be a non-empty string, got ""/,
    )
  })

  it("hands what mapArgs throws or rejects with to Express's error handling, running no task", async () => {
    const pool = new WorkerPool<Tasks>({
      module: new URL('../fixtures/tasks.js', import.meta.url),
      minThreads: 0,
    })
    closers.push(() => pool.destroy())
    const invalid = new Error('n must be a whole number')
    const handled: unknown[] = []
    const app = express()
    app.get(
      '/fib/:n',
      offload(pool, 'fib', (request) => {
        const n = Number(request.params.n)
        if (!Number.isInteger(n)) throw invalid
        return [n]
      }),
    )
    app.get(
      '/later/:n',
      offload(pool, 'fib', () => Promise.reject(invalid)),
    )
    app.use(
      (
        error: unknown,
        _request: Request,
        response: express.Response,
        _next: express.NextFunction,
      ) => {
        handled.push(error)
        response.status(400).send('bad request')
      },
    )
    const url = await listen(app)
    expect(await send(`${url}/fib/x`)).toMatchObject({ status: 400, body: 'bad request' })
    expect(await send(`${url}/later/1`)).toMatchObject({ status: 400, body: 'bad request' })
    expect(handled).toEqual([invalid, invalid])
    expect(pool.stats()).toMatchObject({ completed: 0, failed: 0 })
    expect(await send(`${url}/fib/10`)).toMatchObject({ status: 200, body: '55' })
  })
})
