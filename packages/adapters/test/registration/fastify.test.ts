import type { AddressInfo } from 'node:net'
import { type BackgroundTasks, TaskSupervisor } from '@loopwork/background-tasks'
import { CapacityLimiter } from '@loopwork/limiter'
import { createMetrics } from '@loopwork/metrics'
import { WorkerPool } from '@loopwork/thread-offload'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import {
  backgroundTasks,
  concurrencyLimit,
  concurrencyLimitHook,
  offload,
  requestMetrics,
  shutdown,
} from '../../src/fastify/index.js'
import type { ShutdownReport } from '../../src/index.js'
import { deferred } from '../support/deferred.js'
import { rawRequest, send } from '../support/http-client.js'
import { parseSamples, sampleValue } from '../support/prometheus-text.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(
    apps.splice(0).map((app) => {
      app.server.closeAllConnections()
      return app.close()
    }),
  )
})

async function listen(app: FastifyInstance): Promise<string> {
  apps.push(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

describe('Fastify registration and typing', () => {
  it('decorates requests with a typed backgroundTasks, as a named fastify-plugin plugin', async () => {
    expectTypeOf<FastifyRequest['backgroundTasks']>().toEqualTypeOf<BackgroundTasks>()
    const app = Fastify()
    await app.register(backgroundTasks)
    expect(app.hasRequestDecorator('backgroundTasks')).toBe(true)
    expect(app.hasPlugin('@loopwork/adapters/background-tasks')).toBe(true)
    await app.close()
  })

  it('drains the supervisor it made itself when the app closes', async () => {
    const app = Fastify()
    const release = deferred()
    const finished: string[] = []
    await app.register(backgroundTasks)
    app.get('/', async (request) => {
      request.backgroundTasks.add(async () => {
        await release.promise
        finished.push('task')
      })
      return { ok: true }
    })
    const url = await listen(app)
    expect((await send(url)).status).toBe(200)
    apps.pop()
    const closing = app.close()
    release.resolve()
    await closing
    expect(finished).toEqual(['task'])
  })

  it('applies a plugin registered in an encapsulated scope to that scope only', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 0 })
    const gate = deferred()
    const app = Fastify()
    await app.register(async (scope) => {
      await scope.register(concurrencyLimit, { limiter })
      scope.get('/limited', async () => {
        await gate.promise
        return 'limited'
      })
    })
    app.get('/free', async () => 'free')
    const url = await listen(app)
    const held = rawRequest(`${url}/limited`)
    await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(1))
    expect((await send(`${url}/limited`)).status).toBe(503)
    expect((await send(`${url}/free`)).body).toBe('free')
    gate.resolve()
    expect((await held.response).statusCode).toBe(200)
  })

  it('types offload() from the task module, and its mapArgs from FastifyRequest', async () => {
    const pool = new WorkerPool<typeof import('../fixtures/tasks.js')>({
      module: new URL('../fixtures/tasks.js', import.meta.url),
      minThreads: 0,
    })
    try {
      offload(pool, 'fib', (request) => {
        expectTypeOf(request).toEqualTypeOf<FastifyRequest>()
        return [Number((request.params as { n: string }).n)]
      })
      // @ts-expect-error: fib takes one number, not a string
      offload(pool, 'fib', () => ['30'])
    } finally {
      await pool.destroy()
    }
  })

  it('limits a single route through concurrencyLimitHook', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 0 })
    const gate = deferred()
    const app = Fastify()
    app.get('/limited', { onRequest: concurrencyLimitHook({ limiter }) }, async () => {
      await gate.promise
      return 'limited'
    })
    app.get('/free', async () => 'free')
    const url = await listen(app)
    const held = rawRequest(`${url}/limited`)
    await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(1))
    expect((await send(`${url}/limited`)).headers['retry-after']).toBe('1')
    expect((await send(`${url}/free`)).status).toBe(200)
    gate.resolve()
    await held.response
  })

  it('labels routes with their plugin prefix', async () => {
    const metrics = createMetrics()
    const app = Fastify()
    await app.register(requestMetrics, { metrics })
    await app.register(
      async (api) => {
        api.get('/users/:id', async () => ({}))
      },
      { prefix: '/api' },
    )
    const url = await listen(app)
    await send(`${url}/api/users/3`)
    await vi.waitFor(() => expect(metrics.inFlight).toBe(0))
    const samples = parseSamples(await metrics.render())
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', { route: '/api/users/:id' }),
    ).toBe(1)
  })

  it('hands the shutdown report to onReport, or logs it only when work was cut short', async () => {
    const supervisor = new TaskSupervisor({ name: 'jobs' })
    const reports: ShutdownReport[] = []
    const app = Fastify()
    await app.register(shutdown, {
      resources: [supervisor],
      onReport: (report) => reports.push(report),
    })
    await app.ready()
    await app.close()
    expect(reports).toEqual([
      {
        timedOut: false,
        closedConnections: 0,
        resources: [{ name: 'jobs', outcome: 'drained', aborted: [] }],
      },
    ])
    expect(supervisor.draining).toBe(true)
  })
})
