import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import { CapacityLimiter } from '../src/index.js'
import { deferred } from './deferred.js'

describe('run(fn) never calls fn before it returns', () => {
  it('starts fn in a later microtask when a token is free', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 2 })
    const order: string[] = []
    const result = limiter.run(() => {
      order.push('task')
      return 'done'
    })
    order.push('after run()')
    // The token is taken at once, so no later caller can jump ahead of this task.
    expect(limiter.borrowedTokens).toBe(1)
    expect(await result).toBe('done')
    expect(order).toEqual(['after run()', 'task'])
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('keeps the token of a synchronous task until after run() has returned', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const first = limiter.run(() => 1)
    expect(limiter.borrowedTokens).toBe(1)
    expect(limiter.tryAcquire()).toBeUndefined()
    expect(await first).toBe(1)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('starts fn in a later microtask with options and a free token', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const order: string[] = []
    const result = limiter.run(() => order.push('task'), {
      signal: new AbortController().signal,
      timeoutMs: 1_000,
    })
    order.push('after run()')
    await result
    expect(order).toEqual(['after run()', 'task'])
  })

  it('starts a queued fn in a later microtask, not inside the release that freed its token', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = await limiter.acquire()
    const order: string[] = []
    const result = limiter.run(() => order.push('task'))
    order.push('after run()')
    hold.release()
    order.push('after release()')
    expect(limiter.borrowedTokens).toBe(1)
    await result
    expect(order).toEqual(['after run()', 'after release()', 'task'])
  })

  it('starts a synchronously throwing fn later too, and passes its error on', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const error = new Error('boom')
    let thrown = false
    const result = limiter.run(() => {
      thrown = true
      throw error
    })
    expect(thrown).toBe(false)
    await expect(result).rejects.toBe(error)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('starts tasks in call order, also when tasks start others and limiters interleave', async () => {
    const first = new CapacityLimiter({ totalTokens: 10 })
    const second = new CapacityLimiter({ totalTokens: 10 })
    const order: string[] = []
    const all: Promise<unknown>[] = []
    for (const index of [1, 2, 3]) {
      all.push(
        first.run(() => {
          order.push(`first ${index}`)
          all.push(second.run(() => order.push(`nested ${index}`)))
        }),
      )
      all.push(second.run(() => order.push(`second ${index}`)))
    }
    await Promise.all(all)
    // The nested calls joined `all` while the first round ran.
    await Promise.all(all)
    expect(order).toEqual([
      'first 1',
      'second 1',
      'first 2',
      'second 2',
      'first 3',
      'second 3',
      'nested 1',
      'nested 2',
      'nested 3',
    ])
  })

  it('runs each fast-path task in its own caller’s AsyncLocalStorage context', async () => {
    const storage = new AsyncLocalStorage<string>()
    const limiter = new CapacityLimiter({ totalTokens: 8 })
    const gate = deferred()
    const tasks = ['a', 'b', 'c', 'd'].map((id) =>
      storage.run(id, () =>
        limiter.run(async () => {
          const before = storage.getStore()
          await gate.promise
          return `${before}${storage.getStore()}`
        }),
      ),
    )
    storage.run('releaser', () => gate.resolve())
    expect(await Promise.all(tasks)).toEqual(['aa', 'bb', 'cc', 'dd'])
  })
})
