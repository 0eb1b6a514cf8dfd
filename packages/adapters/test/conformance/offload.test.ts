import { CapacityLimiter } from '@loopwork/limiter'
import { WorkerPool } from '@loopwork/thread-offload'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { rawRequest, send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'
import type { RunningServer, TestOffload, TestRequest } from './test-app.js'

type Tasks = typeof import('../fixtures/tasks.js')
const tasksModule = new URL('../fixtures/tasks.js', import.meta.url)

/** A flag a task blocks on until the test sets it; its second cell tells that the task started. */
function createFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8))
}

function release(flag: Int32Array): void {
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
}

describe.each(frameworks)('offloaded handlers on $name', (framework) => {
  const start = serversFor(framework)
  const pools: WorkerPool<Tasks>[] = []
  const flags: Int32Array[] = []
  afterEach(async () => {
    for (const flag of flags.splice(0)) release(flag)
    await Promise.all(pools.splice(0).map((pool) => pool.destroy()))
  })

  function newPool(
    options: { maxThreads?: number; maxWaiting?: number; limiter?: CapacityLimiter } = {},
  ) {
    const pool = new WorkerPool<Tasks>({
      module: tasksModule,
      minThreads: 0,
      maxThreads: 1,
      ...options,
    })
    pools.push(pool)
    return pool
  }

  /** A server whose GET routes, by path, are each served by the adapter's `offload()`. */
  function serveOffloaded(routes: Record<string, TestOffload>): Promise<RunningServer> {
    return start({
      routes: Object.entries(routes).map(([path, offload]) => ({ method: 'GET', path, offload })),
    })
  }

  function newFlag(): Int32Array {
    const flag = createFlag()
    flags.push(flag)
    return flag
  }

  it('runs the task in the pool and answers its result as JSON, bytes as octet-stream', async () => {
    const pool = newPool()
    const server = await serveOffloaded({
      '/fib/:n': {
        pool,
        task: 'fib',
        mapArgs: (request: TestRequest) => [Number(request.params.n)],
      },
      '/bytes': { pool, task: 'bytes', mapArgs: () => [4] },
    })
    const fib = await send(`${server.url}/fib/20`)
    expect(fib.status).toBe(200)
    expect(fib.headers['content-type']).toMatch(/^application\/json/)
    expect(JSON.parse(fib.body)).toBe(6765)
    expect(pool.stats().completed).toBe(1)
    const bytes = await send(`${server.url}/bytes`)
    expect(bytes.headers['content-type']).toBe('application/octet-stream')
    expect(bytes.body).toBe('\u0007\u0007\u0007\u0007')
  })

  it("adopts the argument mapper's thenable once: its then() runs exactly once per request", async () => {
    const pool = newPool()
    let thenCalls = 0
    const server = await serveOffloaded({
      '/fib/:n': {
        pool,
        task: 'fib',
        // A lazy thenable (a query builder, say): each then() call would run the query again.
        mapArgs: (request: TestRequest) =>
          ({
            // biome-ignore lint/suspicious/noThenProperty: a lazy thenable is what this test is about
            then(resolve: (args: unknown[]) => void) {
              thenCalls++
              resolve([Number(request.params.n)])
            },
          }) as PromiseLike<unknown[]>,
      },
    })
    const fib = await send(`${server.url}/fib/10`)
    expect(fib.status).toBe(200)
    expect(JSON.parse(fib.body)).toBe(55)
    expect(thenCalls).toBe(1)
  })

  it('answers a failing task with a bare 500, reporting the error with its name and code', async () => {
    const errors: unknown[] = []
    const pool = newPool()
    const server = await serveOffloaded({
      '/fail': {
        pool,
        task: 'fail',
        mapArgs: () => ['ledger locked'],
        options: { onError: (error: unknown) => errors.push(error) },
      },
    })
    const response = await send(`${server.url}/fail`)
    expect(response.status).toBe(500)
    expect(JSON.parse(response.body)).toEqual({ error: 'Internal Server Error' })
    expect(response.body).not.toMatch(/ledger|LedgerError|at /)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      name: 'LedgerError',
      code: 'E_LEDGER',
      message: 'ledger locked',
    })
    // The thread survives a task error and serves the next call.
    expect(pool.stats().failed).toBe(1)
  })

  it('answers 503 with Retry-After when the pool queue is full', async () => {
    const flag = newFlag()
    const pool = newPool({ maxWaiting: 0, limiter: new CapacityLimiter({ totalTokens: 10 }) })
    const server = await serveOffloaded({
      '/block': {
        pool,
        task: 'startedThenBlock',
        mapArgs: () => [flag],
        options: { retryAfterSeconds: 4 },
      },
    })
    const blocked = rawRequest(`${server.url}/block`)
    await vi.waitFor(() => expect(Atomics.load(flag, 1)).toBe(1))
    const refused = await send(`${server.url}/block`)
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('4')
    expect(JSON.parse(refused.body)).toEqual({
      error: 'Service Unavailable',
      reason: 'pool-saturated',
    })
    release(flag)
    expect((await blocked.response).statusCode).toBe(200)
  })

  it("answers 503 with Retry-After when the pool's limiter sheds the call", async () => {
    const flag = newFlag()
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 0 })
    const pool = newPool({ limiter })
    const server = await serveOffloaded({
      '/block': { pool, task: 'startedThenBlock', mapArgs: () => [flag] },
    })
    const blocked = rawRequest(`${server.url}/block`)
    await vi.waitFor(() => expect(Atomics.load(flag, 1)).toBe(1))
    const refused = await send(`${server.url}/block`)
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('1')
    expect(limiter.stats().rejected).toBe(1)
    release(flag)
    expect((await blocked.response).statusCode).toBe(200)
  })

  it('takes a queued call out of the pool when its client disconnects', async () => {
    const flag = newFlag()
    const marks = newFlag()
    const pool = newPool()
    const server = await serveOffloaded({
      '/block': { pool, task: 'startedThenBlock', mapArgs: () => [flag] },
      '/mark': { pool, task: 'mark', mapArgs: () => [marks] },
    })
    const blocked = rawRequest(`${server.url}/block`)
    await vi.waitFor(() => expect(Atomics.load(flag, 1)).toBe(1))
    const leaver = rawRequest(`${server.url}/mark`)
    await vi.waitFor(() => expect(pool.stats().waiting).toBe(1))
    leaver.disconnect()
    await vi.waitFor(() => expect(pool.stats().waiting).toBe(0))
    release(flag)
    expect((await blocked.response).statusCode).toBe(200)
    expect((await send(`${server.url}/mark`)).status).toBe(200)
    // Only the request that stayed ran the task.
    expect(Atomics.load(marks, 1)).toBe(1)
  })
})
