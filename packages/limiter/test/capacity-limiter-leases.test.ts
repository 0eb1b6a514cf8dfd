import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import {
  BorrowerAlreadyHoldsTokenError,
  BorrowerNotHoldingTokenError,
  CapacityLimiter,
  Lease,
} from '../src/index.js'
import { flush } from './deferred.js'

describe('leases and tryAcquire', () => {
  it('release is idempotent', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 2 })
    const lease = await limiter.acquire()
    const other = await limiter.acquire()
    lease.release()
    lease.release()
    expect(limiter.borrowedTokens).toBe(1)
    expect(lease.held).toBe(false)
    other.release()
  })

  it('a lease is disposable with `using`', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    {
      using lease = await limiter.acquire()
      expect(lease).toBeInstanceOf(Lease)
      expect(limiter.borrowedTokens).toBe(1)
    }
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('tryAcquire returns a lease when a token is free and undefined when none is', () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const lease = limiter.tryAcquire()
    expect(lease).toBeInstanceOf(Lease)
    expect(limiter.tryAcquire()).toBeUndefined()
    lease!.release()
  })

  it('tryAcquire fails while anyone waits, and a freed token goes straight to the next waiter', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 2 })
    const first = limiter.tryAcquire()!
    const second = limiter.tryAcquire()!
    const waiter = limiter.acquire()
    second.release()
    // The token went to the waiter, not back to the pool.
    expect(limiter.tryAcquire()).toBeUndefined()
    expect(limiter.borrowedTokens).toBe(2)
    const third = limiter.acquire()
    ;(await waiter).release()
    expect(limiter.tryAcquire()).toBeUndefined()
    ;(await third).release()
    first.release()
    expect(limiter.borrowedTokens).toBe(0)
  })
})

describe('borrowers (anyio acquire_on_behalf_of)', () => {
  it('records the borrower and releases on its behalf', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const request = {}
    await limiter.acquireOnBehalfOf(request)
    expect(limiter.borrowedTokens).toBe(1)
    limiter.releaseOnBehalfOf(request)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('the same borrower acquiring twice, holding or waiting, is a clear error', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, name: 'db' })
    const holder = Symbol('holder')
    const waiterBorrower = {}
    await limiter.acquireOnBehalfOf(holder)
    await expect(limiter.acquireOnBehalfOf(holder)).rejects.toBeInstanceOf(
      BorrowerAlreadyHoldsTokenError,
    )
    const waiting = limiter.acquireOnBehalfOf(waiterBorrower)
    const error = await limiter.acquireOnBehalfOf(waiterBorrower).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BorrowerAlreadyHoldsTokenError)
    expect((error as Error).message).toMatch(/limiter "db"/)
    limiter.releaseOnBehalfOf(holder)
    await waiting
    limiter.releaseOnBehalfOf(waiterBorrower)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('releasing a token the borrower does not hold is a clear error and changes nothing', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 2, name: 'db' })
    await limiter.acquireOnBehalfOf({})
    expect(() => limiter.releaseOnBehalfOf({})).toThrow(BorrowerNotHoldingTokenError)
    expect(() => limiter.releaseOnBehalfOf({})).toThrow(/holds no token of limiter "db"/)
    expect(limiter.borrowedTokens).toBe(1)
  })

  it('a borrower whose wait was aborted may try again', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = limiter.tryAcquire()!
    const borrower = {}
    const controller = new AbortController()
    const first = limiter.acquireOnBehalfOf(borrower, { signal: controller.signal })
    controller.abort()
    await expect(first).rejects.toThrow(/aborted/)
    hold.release()
    await limiter.acquireOnBehalfOf(borrower)
    limiter.releaseOnBehalfOf(borrower)
  })
})

describe('async context', () => {
  it('runs queued work in its caller’s AsyncLocalStorage context', async () => {
    const storage = new AsyncLocalStorage<string>()
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const seen: (string | undefined)[] = []
    const hold = await limiter.acquire()
    const tasks = ['a', 'b', 'c'].map((id) =>
      storage.run(id, () =>
        limiter.run(async () => {
          seen.push(storage.getStore())
          await flush()
          seen.push(storage.getStore())
        }),
      ),
    )
    storage.run('releaser', () => hold.release())
    await Promise.all(tasks)
    expect(seen).toEqual(['a', 'a', 'b', 'b', 'c', 'c'])
  })

  it('keeps the context on the fast path and through wrap', async () => {
    const storage = new AsyncLocalStorage<number>()
    const limiter = new CapacityLimiter({ totalTokens: 2 })
    const read = limiter.wrap(async () => storage.getStore())
    const values = await Promise.all([1, 2, 3, 4].map((id) => storage.run(id, () => read())))
    expect(values).toEqual([1, 2, 3, 4])
  })
})
