import { CapacityLimiter } from '@loopwork/limiter'
import { describe, expect, it } from 'vitest'
import {
  currentDefaultThreadLimiter,
  DEFAULT_THREAD_TOKENS,
  QueueFullError,
  type ThreadLimiter,
  type ThreadLimiterLease,
} from '../src/index.js'
import { createFlag, flush, poolFactory, rejectionOf, release, until } from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 2 })

describe('the default thread limiter', () => {
  it('is one process-wide CapacityLimiter of 40 tokens that every pool uses', () => {
    const limiter = currentDefaultThreadLimiter()
    expect(limiter).toBeInstanceOf(CapacityLimiter)
    expect(DEFAULT_THREAD_TOKENS).toBe(40)
    expect(limiter.totalTokens).toBe(40)
    expect(currentDefaultThreadLimiter()).toBe(limiter)
    expect(createPool().limiter).toBe(limiter)
    expect(createPool().limiter).toBe(limiter)
  })

  it('counts the calls of every pool that uses it', async () => {
    const limiter = currentDefaultThreadLimiter()
    const flag = createFlag()
    const first = createPool()
    const second = createPool()
    const calls = [first.run('blockUntil', [flag]), second.run('blockUntil', [flag])]
    await flush()
    expect(limiter.borrowedTokens).toBe(2)
    release(flag)
    await Promise.all(calls)
    expect(limiter.borrowedTokens).toBe(0)
  })
})

describe('a limiter caps calls in flight', () => {
  it('lets only totalTokens calls run or queue; the rest wait for a token', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 2 })
    const pool = createPool({ maxThreads: 4, limiter })
    const flag = createFlag()
    const calls = Array.from({ length: 5 }, () => pool.run('blockUntil', [flag]))
    await until(() => pool.stats().running === 2)
    expect(limiter.borrowedTokens).toBe(2)
    expect(limiter.waiting).toBe(3)
    expect(pool.stats()).toMatchObject({ inFlight: 2, waitingForToken: 3, waiting: 3 })
    release(flag)
    await Promise.all(calls)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('keeps borrowedTokens equal to the calls in flight throughout a burst', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 7, maxWaiting: Number.POSITIVE_INFINITY })
    const pool = createPool({ limiter })
    let mismatches = 0
    let checks = 0
    const check = () => {
      checks++
      const stats = pool.stats()
      if (limiter.borrowedTokens !== stats.inFlight) mismatches++
      if (stats.inFlight > 7) mismatches++
    }
    pool.on('taskStart', check)
    pool.on('taskEnd', check)
    const calls = Array.from({ length: 2_000 }, (_, index) => pool.run('add', [index, 0]))
    while (pool.stats().completed < 2_000) {
      check()
      await flush()
    }
    await Promise.all(calls)
    expect(checks).toBeGreaterThan(2_000)
    expect(mismatches).toBe(0)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('takes a resize of totalTokens into account at once', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const pool = createPool({ maxThreads: 4, limiter })
    const flag = createFlag()
    const calls = Array.from({ length: 4 }, () => pool.run('blockUntil', [flag]))
    await until(() => pool.stats().running === 1)
    limiter.totalTokens = 3
    expect(limiter.borrowedTokens).toBe(3)
    await until(() => pool.stats().running === 3)
    expect(pool.stats()).toMatchObject({ inFlight: 3, waitingForToken: 1 })
    limiter.totalTokens = 1
    expect(limiter.borrowedTokens).toBe(3)
    release(flag)
    await Promise.all(calls)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('returns the token of a failed call', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const pool = createPool({ limiter })
    await expect(pool.run('throwString', ['no'])).rejects.toBe('no')
    expect(limiter.borrowedTokens).toBe(0)
    await expect(pool.run('exit', [1])).rejects.toThrow('died')
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('passes on the limiter shedding a call when its maxWaiting is reached', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 1 })
    const pool = createPool({ limiter })
    const flag = createFlag()
    const calls = [pool.run('blockUntil', [flag]), pool.run('blockUntil', [flag])]
    const error = await rejectionOf(pool.run('add', [1, 1]))
    // The limiter's own refusal, passed on as it is: the shared class matches any copy's error.
    expect(error).toBeInstanceOf(QueueFullError)
    expect(error).toMatchObject({ code: 'LOOPWORK_QUEUE_FULL', option: 'maxWaiting', limit: 1 })
    expect(error.message).not.toContain('Worker pool')
    release(flag)
    await Promise.all(calls)
  })
})

/** A limiter written from scratch, sharing no code with @loopwork/limiter: only its shape. */
function handMadeLimiter(totalTokens: number): ThreadLimiter & { largest: number } {
  let borrowed = 0
  const waiters: ((lease: ThreadLimiterLease) => void)[] = []
  const limiter = {
    largest: 0,
    get totalTokens() {
      return totalTokens
    },
    get borrowedTokens() {
      return borrowed
    },
    tryAcquire() {
      if (borrowed >= totalTokens || waiters.length > 0) return undefined
      return grant()
    },
    acquire() {
      return new Promise<ThreadLimiterLease>((resolve) => waiters.push(resolve))
    },
  }
  function grant(): ThreadLimiterLease {
    borrowed++
    limiter.largest = Math.max(limiter.largest, borrowed)
    let held = true
    return {
      release() {
        if (!held) return
        held = false
        borrowed--
        const next = waiters.shift()
        if (next !== undefined) next(grant())
      },
    }
  }
  return limiter
}

describe('any limiter of the same shape', () => {
  it('caps calls in flight like a CapacityLimiter', async () => {
    const limiter = handMadeLimiter(2)
    const pool = createPool({ limiter })
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) => pool.run('add', [index, 1])),
    )
    expect(results).toEqual(Array.from({ length: 50 }, (_, index) => index + 1))
    expect(limiter.largest).toBe(2)
    expect(limiter.borrowedTokens).toBe(0)
    expect(pool.limiter).toBe(limiter)
  })

  it('fails only the call when the limiter throws instead of rejecting', async () => {
    const limiter: ThreadLimiter = {
      totalTokens: 1,
      borrowedTokens: 1,
      tryAcquire: () => undefined,
      acquire: () => {
        throw new Error('limiter unavailable')
      },
    }
    const pool = createPool({ limiter })
    const error = await rejectionOf(pool.run('add', [1, 1]))
    expect(error.message).toBe('limiter unavailable')
    expect(pool.stats()).toMatchObject({ waiting: 0, failed: 1 })
  })
})
