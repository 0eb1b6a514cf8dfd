import type { BackgroundTasks } from '@loopwork/background-tasks'
import { CapacityLimiter } from '@loopwork/limiter'
import { createMetrics } from '@loopwork/metrics'
import { WorkerPool } from '@loopwork/thread-offload'
import type { Context, ExecutionContext } from 'hono'
import { Hono } from 'hono'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import {
  type BackgroundTasksEnv,
  backgroundTasks,
  concurrencyLimit,
  offload,
  requestMetrics,
  streamIterable,
} from '../../src/hono/index.js'
import { parseSamples, sampleValue } from '../support/prometheus-text.js'

// Without @hono/node-server there is no Node response: these tests cover the runtime-neutral paths.

describe('Hono registration, typing and runtimes without Node bindings', () => {
  it("types c.get('backgroundTasks') through the environment's Variables", () => {
    const app = new Hono<BackgroundTasksEnv>()
    app.get('/', (context) => {
      expectTypeOf(context.get('backgroundTasks')).toEqualTypeOf<BackgroundTasks>()
      return context.text('ok')
    })
    expect(app.routes).toHaveLength(1)
  })

  it('types offload() from the task module, and its mapArgs from Context', async () => {
    const pool = new WorkerPool<typeof import('../fixtures/tasks.js')>({
      module: new URL('../fixtures/tasks.js', import.meta.url),
      minThreads: 0,
    })
    try {
      offload(pool, 'fib', (context) => {
        expectTypeOf(context).toEqualTypeOf<Context>()
        return [Number(context.req.param('n'))]
      })
      // @ts-expect-error: fib takes one number, not a string
      offload(pool, 'fib', () => ['30'])
    } finally {
      await pool.destroy()
    }
  })

  it('hands the tasks to executionCtx.waitUntil where the runtime has one', async () => {
    const app = new Hono<BackgroundTasksEnv>()
    app.use(backgroundTasks())
    const ran: string[] = []
    app.get('/', (context) => {
      context.get('backgroundTasks').add((value: string) => ran.push(value), 'after')
      return context.text('sent')
    })
    const handedOver: Promise<unknown>[] = []
    const executionContext: ExecutionContext = {
      waitUntil: (promise) => handedOver.push(promise),
      passThroughOnException: () => {},
      props: {},
    }
    const response = await app.fetch(new Request('http://worker/'), {}, executionContext)
    expect(await response.text()).toBe('sent')
    expect(handedOver).toHaveLength(1)
    await handedOver[0]
    expect(ran).toEqual(['after'])
  })

  it('runs the tasks after the handler returned where there is neither', async () => {
    const app = new Hono<BackgroundTasksEnv>()
    const middleware = backgroundTasks()
    app.use(middleware)
    const order: string[] = []
    app.get('/', (context) => {
      context.get('backgroundTasks').add(() => order.push('task'))
      order.push('handler')
      return context.text('sent')
    })
    expect(await (await app.request('/')).text()).toBe('sent')
    order.push('response')
    await vi.waitFor(() => expect(order).toEqual(['handler', 'response', 'task']))
    expect(middleware.supervisor.stats().succeeded).toBe(1)
  })

  it('holds a limiter token for the handler and gives it back when it returns', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const app = new Hono()
    app.use(concurrencyLimit({ limiter }))
    let borrowedInside = 0
    app.get('/', (context) => {
      borrowedInside = limiter.borrowedTokens
      return context.text('ok')
    })
    expect((await app.request('/')).status).toBe(200)
    expect(borrowedInside).toBe(1)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('labels mounted sub-apps with their full route template, and records without Node bindings', async () => {
    const metrics = createMetrics()
    const app = new Hono()
    app.use(requestMetrics({ metrics }))
    const api = new Hono()
    api.get('/users/:id', (context) => context.json({ id: context.req.param('id') }))
    app.route('/api', api)
    await app.request('/api/users/5')
    await app.request('/missing')
    const samples = parseSamples(await metrics.render())
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        route: '/api/users/:id',
        status_code: '200',
      }),
    ).toBe(1)
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        route: '__unmatched__',
        status_code: '404',
      }),
    ).toBe(1)
  })

  it('streams through a web ReadableStream on any runtime', async () => {
    const app = new Hono()
    app.get('/', (context) => streamIterable(context, ['a', 'b', new TextEncoder().encode('c')]))
    const response = await app.request('/')
    expect(response.headers.get('content-type')).toBe('application/octet-stream')
    expect(await response.text()).toBe('abc')
  })
})
