import { createServer } from 'node:http'
import { CapacityLimiter } from '@loopwork/limiter'
import { createMetrics } from '@loopwork/metrics'
import { WorkerPool } from '@loopwork/thread-offload'
import { TtlCache } from '@loopwork/ttl-cache'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import * as express from '../../src/express/index.js'
import * as fastify from '../../src/fastify/index.js'
import * as hono from '../../src/hono/index.js'
import type { CachedResponse } from '../../src/index.js'

// Every options bag is checked the same way: a misspelled option is a TypeError naming it and the
// closest known name, a duration past the timer range a RangeError, both with the shared code.

type Tasks = typeof import('../fixtures/tasks.js')

const closers: (() => Promise<unknown>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

function newPool(): WorkerPool<Tasks> {
  const pool = new WorkerPool<Tasks>({
    module: new URL('../fixtures/tasks.js', import.meta.url),
    minThreads: 0,
  })
  closers.push(() => pool.destroy())
  return pool
}

function newCache(): TtlCache<string, CachedResponse> {
  return new TtlCache<string, CachedResponse>({ max: 10, ttlMs: 1_000 })
}

const guard = { check: () => ({ overloaded: false as const }) }

/** The error `act` throws (synchronously or by rejecting). */
async function errorOf(act: () => unknown): Promise<unknown> {
  try {
    await act()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

function expectUnknown(error: unknown, option: string, suggestion: string): void {
  expect(error).toBeInstanceOf(TypeError)
  expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option })
  expect((error as Error).message).toContain(`Unknown option "${option}"`)
  expect((error as Error).message).toContain(`did you mean "${suggestion}"?`)
}

function expectTooLong(error: unknown, option: string): void {
  expect(error).toBeInstanceOf(RangeError)
  expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option })
  expect((error as Error).message).toContain('2147483647')
}

/** Each framework's way of setting a feature up: a middleware factory, or registering a plugin. */
const setups = {
  express: {
    concurrencyLimit: (options: unknown) => express.concurrencyLimit(options as never),
    responseCache: (options: unknown) => express.responseCache(options as never),
    requestMetrics: (options: unknown) => express.requestMetrics(options as never),
    loadShedding: (options: unknown) => express.loadShedding(options as never),
    backgroundTasks: (options: unknown) => express.backgroundTasks(options as never),
    offload: (...parameters: unknown[]) => (express.offload as Function)(...parameters),
  },
  fastify: {
    concurrencyLimit: (options: unknown) => registered(fastify.concurrencyLimit, options),
    responseCache: (options: unknown) => registered(fastify.responseCache, options),
    requestMetrics: (options: unknown) => registered(fastify.requestMetrics, options),
    loadShedding: (options: unknown) => registered(fastify.loadShedding, options),
    backgroundTasks: (options: unknown) => registered(fastify.backgroundTasks, options),
    offload: (...parameters: unknown[]) => (fastify.offload as Function)(...parameters),
  },
  hono: {
    concurrencyLimit: (options: unknown) => hono.concurrencyLimit(options as never),
    responseCache: (options: unknown) => hono.responseCache(options as never),
    requestMetrics: (options: unknown) => hono.requestMetrics(options as never),
    loadShedding: (options: unknown) => hono.loadShedding(options as never),
    backgroundTasks: (options: unknown) => hono.backgroundTasks(options as never),
    offload: (...parameters: unknown[]) => (hono.offload as Function)(...parameters),
  },
}

async function registered(plugin: unknown, options: unknown): Promise<void> {
  const app = Fastify()
  closers.push(() => app.close())
  await app.register(plugin as never, options as never)
  await app.ready()
}

describe.each(Object.entries(setups))('options of every feature on %s', (_name, setup) => {
  it('a misspelled option is refused, naming it and the closest known name', async () => {
    const limiter = new CapacityLimiter()
    expectUnknown(
      await errorOf(() => setup.concurrencyLimit({ limiter, timeoutMS: 5 })),
      'timeoutMS',
      'timeoutMs',
    )
    expectUnknown(
      await errorOf(() => setup.responseCache({ cache: newCache(), maxBodyByte: 1 })),
      'maxBodyByte',
      'maxBodyBytes',
    )
    expectUnknown(
      await errorOf(() => setup.requestMetrics({ metrics: createMetrics(), metric: 1 })),
      'metric',
      'metrics',
    )
    expectUnknown(await errorOf(() => setup.loadShedding({ guard, exemt: [] })), 'exemt', 'exempt')
    expectUnknown(
      await errorOf(() => setup.backgroundTasks({ onErorr: () => {} })),
      'onErorr',
      'onError',
    )
    expectUnknown(
      await errorOf(() => setup.offload(newPool(), 'fib', () => [1], { timeoutMS: 5 })),
      'timeoutMS',
      'timeoutMs',
    )
  })

  it('a duration past the timer range is refused, Infinity means no limit', async () => {
    const limiter = new CapacityLimiter()
    expectTooLong(
      await errorOf(() => setup.concurrencyLimit({ limiter, timeoutMs: 2 ** 31 })),
      'timeoutMs',
    )
    expectTooLong(
      await errorOf(() => setup.offload(newPool(), 'fib', () => [1], { timeoutMs: 2 ** 31 })),
      'timeoutMs',
    )
    expectTooLong(
      await errorOf(() => setup.concurrencyLimit({ limiter, maxExpectedWaitMs: 2 ** 31 })),
      'maxExpectedWaitMs',
    )
    expect(
      await errorOf(() => setup.concurrencyLimit({ limiter, maxExpectedWaitMs: -1 })),
    ).toBeInstanceOf(RangeError)
    await setup.concurrencyLimit({ limiter, timeoutMs: Number.POSITIVE_INFINITY })
    await setup.concurrencyLimit({ limiter, maxExpectedWaitMs: Number.POSITIVE_INFINITY })
    await setup.offload(newPool(), 'fib', () => [1], { timeoutMs: Number.POSITIVE_INFINITY })
  })

  it('offload() without an argument mapper is refused at setup, not on every request', async () => {
    const error = await errorOf(() => setup.offload(newPool(), 'fib'))
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'offload() mapArgs' })
    expect((error as Error).message).toMatch(
      /offload\(\) mapArgs must be a function .*got undefined/,
    )
  })

  it('a required primitive that is missing or of the wrong shape is named', async () => {
    expect(await errorOf(() => setup.concurrencyLimit({}))).toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'limiter',
      message: expect.stringMatching(
        /limiter must be an object with tryAcquire\(\), acquire\(\), got undefined/,
      ),
    })
    expect(await errorOf(() => setup.concurrencyLimit(40))).toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      message: expect.stringMatching(/concurrencyLimit\(\) options must be an options object/),
    })
  })
})

describe('shutdown options', () => {
  it('Express and Hono: a misspelled or too long option is refused before anything stops', async () => {
    const server = createServer()
    for (const shutdown of [express.shutdown, hono.shutdown]) {
      expectUnknown(
        await errorOf(() => shutdown(server, { timeoutMS: 5 } as never)),
        'timeoutMS',
        'timeoutMs',
      )
      expectTooLong(await errorOf(() => shutdown(server, { timeoutMs: 2 ** 31 })), 'timeoutMs')
    }
  })

  it('Fastify: the plugin refuses a misspelled option and knows its own onReport', async () => {
    expectUnknown(
      await errorOf(() => registered(fastify.shutdown, { onReprot: () => {} })),
      'onReprot',
      'onReport',
    )
    await registered(fastify.shutdown, { onReport: () => {}, timeoutMs: Number.POSITIVE_INFINITY })
  })

  it("Fastify: the options Fastify reads itself at register() are not the plugin's to refuse", async () => {
    await registered(fastify.concurrencyLimit, {
      limiter: new CapacityLimiter(),
      prefix: '/api',
      logLevel: 'warn',
    })
  })
})

describe('stream options', () => {
  it('a misspelled stream option fails the stream call, naming the option', async () => {
    const app = new Hono()
    const failures: unknown[] = []
    app.onError((error, context) => {
      failures.push(error)
      return context.text('failed', 500)
    })
    app.get('/', (context) =>
      hono.streamIterable(context, ['a'], { contentTyp: 'text/plain' } as never),
    )
    expect((await app.request('/')).status).toBe(500)
    expectUnknown(failures[0], 'contentTyp', 'contentType')
  })

  it('drainTimeoutMs is a duration: past the timer range or negative is refused, Infinity waits', async () => {
    const app = new Hono()
    const failures: unknown[] = []
    app.onError((error, context) => {
      failures.push(error)
      return context.text('failed', 500)
    })
    app.get('/long', (context) => hono.streamIterable(context, ['a'], { drainTimeoutMs: 2 ** 31 }))
    app.get('/negative', (context) => hono.streamIterable(context, ['a'], { drainTimeoutMs: -5 }))
    app.get('/misspelled', (context) =>
      hono.streamIterable(context, ['a'], { drainTimeout: 5 } as never),
    )
    app.get('/infinite', (context) =>
      hono.streamIterable(context, ['a'], { drainTimeoutMs: Number.POSITIVE_INFINITY }),
    )
    expect((await app.request('/long')).status).toBe(500)
    expectTooLong(failures[0], 'drainTimeoutMs')
    expect((await app.request('/negative')).status).toBe(500)
    expect(failures[1]).toBeInstanceOf(RangeError)
    expect((await app.request('/misspelled')).status).toBe(500)
    expectUnknown(failures[2], 'drainTimeout', 'drainTimeoutMs')
    const infinite = await app.request('/infinite')
    expect([infinite.status, await infinite.text()]).toEqual([200, 'a'])
  })
})

describe('error log options', () => {
  it('createErrorLog() checks its options like every other bag', async () => {
    expectUnknown(
      await errorOf(() => express.createErrorLog({ window: 5 } as never)),
      'window',
      'windowMs',
    )
    expectTooLong(await errorOf(() => hono.createErrorLog({ windowMs: 2 ** 31 })), 'windowMs')
    expect(await errorOf(() => fastify.createErrorLog({ windowMs: 0 }))).toBeInstanceOf(RangeError)
    expect(await errorOf(() => express.createErrorLog({ write: 'stderr' } as never))).toMatchObject(
      {
        code: 'LOOPWORK_INVALID_OPTION',
        option: 'write',
      },
    )
  })
})
