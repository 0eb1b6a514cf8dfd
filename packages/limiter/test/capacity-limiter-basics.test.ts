import { describe, expect, it } from 'vitest'
import { CapacityLimiter, DEFAULT_MAX_WAITING, DEFAULT_TOTAL_TOKENS } from '../src/index.js'
import { deferred, flush } from './deferred.js'

describe('CapacityLimiter defaults and accounting', () => {
  it('defaults to 40 tokens like anyio, a bounded wait queue and a name', () => {
    const limiter = new CapacityLimiter()
    expect(DEFAULT_TOTAL_TOKENS).toBe(40)
    expect(limiter.totalTokens).toBe(40)
    expect(limiter.maxWaiting).toBe(DEFAULT_MAX_WAITING)
    expect(Number.isFinite(limiter.maxWaiting)).toBe(true)
    expect(limiter.stats()).toMatchObject({
      name: 'limiter',
      totalTokens: 40,
      borrowedTokens: 0,
      waiting: 0,
    })
  })

  it('never runs more tasks at once than it has tokens, and counts borrowed, available and waiting', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 3, name: 'db' })
    const gates = Array.from({ length: 5 }, () => deferred())
    let running = 0
    let peak = 0
    const results = gates.map((gate, index) =>
      limiter.run(async () => {
        running++
        peak = Math.max(peak, running)
        await gate.promise
        running--
        return index
      }),
    )
    await flush()
    expect(limiter.borrowedTokens).toBe(3)
    expect(limiter.availableTokens).toBe(0)
    expect(limiter.waiting).toBe(2)
    expect(limiter.stats()).toMatchObject({
      name: 'db',
      borrowedTokens: 3,
      waiting: 2,
      totalTokens: 3,
    })
    for (const gate of gates) gate.resolve()
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4])
    expect(peak).toBe(3)
    expect(limiter.borrowedTokens).toBe(0)
    expect(limiter.stats().acquired).toBe(5)
  })

  it('hands tokens out in FIFO order', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const order: number[] = []
    const first = await limiter.acquire()
    const waits = [1, 2, 3, 4].map((index) =>
      limiter.run(() => {
        order.push(index)
      }),
    )
    const leaseWait = limiter.acquire().then((lease) => {
      order.push(5)
      lease.release()
    })
    first.release()
    await Promise.all([...waits, leaseWait])
    expect(order).toEqual([1, 2, 3, 4, 5])
  })

  it('runs sync and async functions and passes their values on', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    expect(await limiter.run(() => 7)).toBe(7)
    expect(await limiter.run(async () => 'async')).toBe('async')
    const foreignThenable = {
      // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is exactly what this checks
      then: (resolve: (value: number) => void) => resolve(9),
    }
    expect(await limiter.run(() => foreignThenable as PromiseLike<number>)).toBe(9)
  })

  it('wrap keeps the signature and limits every call', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    let running = 0
    let peak = 0
    const add = limiter.wrap(async (a: number, b: number) => {
      running++
      peak = Math.max(peak, running)
      await flush()
      running--
      return a + b
    })
    expect(await Promise.all([add(1, 2), add(3, 4), add(5, 6)])).toEqual([3, 7, 11])
    expect(peak).toBe(1)
  })
})

describe('run() and errors', () => {
  it('releases the token and rethrows the original error when the task throws synchronously', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const error = new Error('sync boom')
    await expect(
      limiter.run(() => {
        throw error
      }),
    ).rejects.toBe(error)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('releases the token and rethrows the original rejection, also for queued tasks', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = await limiter.acquire()
    const error = new TypeError('async boom')
    const queued = limiter.run(async () => {
      throw error
    })
    const queuedSync = limiter.run(() => {
      throw error
    })
    const after = limiter.run(() => 'still runs')
    hold.release()
    await expect(queued).rejects.toBe(error)
    await expect(queuedSync).rejects.toBe(error)
    expect(await after).toBe('still runs')
    expect(limiter.borrowedTokens).toBe(0)
  })
})
