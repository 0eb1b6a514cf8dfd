import { CapacityLimiter } from '@loopwork/limiter'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_QUEUE, PoolQueueFullError } from '../src/index.js'
import {
  createFlag,
  hasStarted,
  poolFactory,
  rejectionOf,
  release,
  until,
} from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 1 })

describe('maxQueue', () => {
  it('defaults to 10,000 and can be changed later', () => {
    const pool = createPool()
    expect(DEFAULT_MAX_QUEUE).toBe(10_000)
    expect(pool.maxQueue).toBe(10_000)
    pool.maxQueue = 5
    expect(pool.maxQueue).toBe(5)
    expect(() => {
      pool.maxQueue = -1
    }).toThrow('maxQueue must be an integer >= 0 or Infinity, got -1')
  })

  it('rejects at once with PoolQueueFullError past maxQueue calls waiting for a token', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const pool = createPool({ limiter, maxQueue: 2 })
    const flag = createFlag()
    const running = pool.run('blockUntil', [flag])
    const waiting = [pool.run('add', [1, 1]), pool.run('add', [2, 2])]
    const error = await rejectionOf(pool.run('add', [3, 3]))
    expect(error).toBeInstanceOf(PoolQueueFullError)
    expect(error.code).toBe('LOOPWORK_OFFLOAD_QUEUE_FULL')
    expect(error.maxQueue).toBe(2)
    expect(error.message).toContain('maxQueue (2)')
    expect(limiter.waiting).toBe(2)
    release(flag)
    await expect(running).resolves.toBe('released')
    await expect(Promise.all(waiting)).resolves.toEqual([2, 4])
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('counts calls holding a token that wait for a thread', async () => {
    const pool = createPool({ maxQueue: 1 })
    const flag = createFlag()
    const running = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    // Calls with a timeout need a thread of their own, so they queue in the pool.
    const queued = pool.run('add', [1, 1], { timeoutMs: 10_000 })
    await expect(pool.run('add', [2, 2], { timeoutMs: 10_000 })).rejects.toBeInstanceOf(
      PoolQueueFullError,
    )
    expect(pool.stats().queued).toBe(1)
    release(flag)
    await expect(Promise.all([running, queued])).resolves.toEqual(['released', 2])
  })

  it('with 0, runs calls that can start at once and sheds the rest', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const pool = createPool({ limiter, maxQueue: 0 })
    const flag = createFlag()
    const running = pool.run('blockUntil', [flag])
    await expect(pool.run('add', [1, 1])).rejects.toBeInstanceOf(PoolQueueFullError)
    release(flag)
    await expect(running).resolves.toBe('released')
    await expect(pool.run('add', [1, 1])).resolves.toBe(2)
  })
})
