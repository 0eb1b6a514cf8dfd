import { CapacityLimiter } from '@loopwork/limiter'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_WAITING, QueueFullError } from '../src/index.js'
import {
  createFlag,
  hasStarted,
  poolFactory,
  rejectionOf,
  release,
  until,
} from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 1 })

describe('maxWaiting', () => {
  it('defaults to 10,000 and can be changed later', () => {
    const pool = createPool()
    expect(DEFAULT_MAX_WAITING).toBe(10_000)
    expect(pool.maxWaiting).toBe(10_000)
    pool.maxWaiting = 5
    expect(pool.maxWaiting).toBe(5)
    expect(() => {
      pool.maxWaiting = -1
    }).toThrow(
      'maxWaiting must be an integer from 0 to Number.MAX_SAFE_INTEGER, or Infinity, got -1',
    )
  })

  it('rejects at once with QueueFullError past maxWaiting calls waiting for a token', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const pool = createPool({ limiter, maxWaiting: 2 })
    const flag = createFlag()
    const running = pool.run('blockUntil', [flag])
    const waiting = [pool.run('add', [1, 1]), pool.run('add', [2, 2])]
    const error = await rejectionOf(pool.run('add', [3, 3]))
    expect(error).toBeInstanceOf(QueueFullError)
    expect(error.code).toBe('LOOPWORK_QUEUE_FULL')
    expect(error.option).toBe('maxWaiting')
    expect(error.limit).toBe(2)
    expect(error.message).toBe(
      'Worker pool "tasks" already has maxWaiting (2) calls waiting; raise maxWaiting or shed load upstream',
    )
    expect(limiter.waiting).toBe(2)
    release(flag)
    await expect(running).resolves.toBe('released')
    await expect(Promise.all(waiting)).resolves.toEqual([2, 4])
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('counts calls holding a token that wait for a thread', async () => {
    const pool = createPool({ maxWaiting: 1 })
    const flag = createFlag()
    const running = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    // Calls with a timeout need a thread of their own, so they queue in the pool.
    const queued = pool.run('add', [1, 1], { timeoutMs: 10_000 })
    await expect(pool.run('add', [2, 2], { timeoutMs: 10_000 })).rejects.toBeInstanceOf(
      QueueFullError,
    )
    expect(pool.stats().waiting).toBe(1)
    release(flag)
    await expect(Promise.all([running, queued])).resolves.toEqual(['released', 2])
  })

  it('with 0, runs calls that can start at once and sheds the rest', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const pool = createPool({ limiter, maxWaiting: 0 })
    const flag = createFlag()
    const running = pool.run('blockUntil', [flag])
    await expect(pool.run('add', [1, 1])).rejects.toBeInstanceOf(QueueFullError)
    release(flag)
    await expect(running).resolves.toBe('released')
    await expect(pool.run('add', [1, 1])).resolves.toBe(2)
  })
})

describe('maxWaiting and the calls a thread holds in reserve', () => {
  /** Makes `count` calls of `add` at once; counts the refused ones, the others resolve. */
  function burst(pool: ReturnType<typeof createPool>, count: number) {
    let refused = 0
    const settled = Promise.all(
      Array.from({ length: count }, (_, index) =>
        pool.run('add', [index, 1]).catch((error: unknown) => {
          if (!(error instanceof QueueFullError)) throw error
          refused++
          return undefined
        }),
      ),
    )
    return { settled, refused: () => refused }
  }

  it('holds on a pool that has not completed a call yet (maxWaiting 0)', async () => {
    const pool = createPool({ maxWaiting: 0 })
    const flag = createFlag()
    const slow = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    const { settled, refused } = burst(pool, 30)
    // Every one of them would wait behind the slow call on the only thread.
    expect(pool.stats()).toMatchObject({ running: 1, waiting: 0 })
    release(flag)
    await settled
    expect(refused()).toBe(30)
    await expect(slow).resolves.toBe('released')
  })

  it('holds with a small bound, whatever the reserve the threads would take', async () => {
    const pool = createPool({ maxWaiting: 3 })
    const flag = createFlag()
    const slow = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    const { settled, refused } = burst(pool, 30)
    await until(() => pool.stats().waiting === 3)
    expect(pool.stats()).toMatchObject({ running: 1, waiting: 3, inFlight: 4 })
    release(flag)
    const results = await settled
    expect(refused()).toBe(27)
    expect(results.slice(0, 3)).toEqual([1, 2, 3])
    await expect(slow).resolves.toBe('released')
  })

  it('holds once run times are known and threads take a deep reserve of quick calls', async () => {
    const pool = createPool({ maxWaiting: 2 })
    // Teach the pool that add is quick: a thread would now hold many calls of it at once.
    for (let round = 0; round < 20; round++) await pool.run('add', [round, 0])
    const flag = createFlag()
    const slow = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    const { settled, refused } = burst(pool, 40)
    await until(() => refused() === 38)
    expect(pool.stats()).toMatchObject({ running: 1, waiting: 2 })
    release(flag)
    await expect(settled).resolves.toEqual([1, 2, ...Array.from({ length: 38 }, () => undefined)])
    await expect(slow).resolves.toBe('released')
  })

  it('never lets waiting exceed maxWaiting through a burst on several threads', async () => {
    const pool = createPool({ maxThreads: 2, maxWaiting: 5 })
    let largest = 0
    const watch = () => {
      largest = Math.max(largest, pool.stats().waiting)
    }
    pool.on('taskStart', watch)
    pool.on('taskEnd', watch)
    const { settled, refused } = burst(pool, 500)
    watch()
    const results = await settled
    expect(largest).toBeLessThanOrEqual(5)
    expect(refused()).toBeGreaterThan(0)
    expect(results.filter((value) => value !== undefined).length + refused()).toBe(500)
  })
})
