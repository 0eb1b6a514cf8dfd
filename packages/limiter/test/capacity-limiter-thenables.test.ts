import { describe, expect, it } from 'vitest'
import { CapacityLimiter } from '../src/index.js'
import { flush } from './deferred.js'

/**
 * A lazy thenable like a Knex query builder or a Mongoose query: every then() call runs the query
 * again, so a limiter that called it twice would run the query twice.
 */
function lazyQuery<T>(outcome: { value: T } | { error: Error }) {
  const query = {
    executions: 0,
    // biome-ignore lint/suspicious/noThenProperty: a lazy thenable is exactly what this checks
    then(resolve: (value: T) => void, reject: (error: Error) => void): void {
      query.executions++
      queueMicrotask(() => ('error' in outcome ? reject(outcome.error) : resolve(outcome.value)))
    },
  }
  // Typed as what a task returns; its then() returns nothing, like many hand-written thenables.
  return query as typeof query & PromiseLike<T>
}

describe('a thenable returned by the task is adopted once', () => {
  it('calls then() once on the fast path', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const query = lazyQuery({ value: 'rows' })
    expect(await limiter.run(() => query)).toBe('rows')
    await flush()
    expect(query.executions).toBe(1)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('calls then() once on the queued path', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = await limiter.acquire()
    const query = lazyQuery({ value: 'rows' })
    const queued = limiter.run(() => query)
    expect(limiter.waiting).toBe(1)
    hold.release()
    expect(await queued).toBe('rows')
    await flush()
    expect(query.executions).toBe(1)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('calls then() once for a queued call with options', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = await limiter.acquire()
    const query = lazyQuery({ value: 'rows' })
    const queued = limiter.run(() => query, {
      signal: new AbortController().signal,
      timeoutMs: 60_000,
    })
    hold.release()
    expect(await queued).toBe('rows')
    await flush()
    expect(query.executions).toBe(1)
  })

  it('calls then() once through wrap, on both paths', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const queries = [lazyQuery({ value: 1 }), lazyQuery({ value: 2 })]
    const select = limiter.wrap((index: number) => queries[index])
    // The first call finds a free token, the second waits for it.
    expect(await Promise.all([select(0), select(1)])).toEqual([1, 2])
    await flush()
    expect(queries.map((query) => query.executions)).toEqual([1, 1])
  })

  it('passes a thenable’s rejection on after one then() call and gives the token back', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const error = new Error('deadlock detected')
    const query = lazyQuery({ error })
    const hold = await limiter.acquire()
    const queued = limiter.run(() => query)
    hold.release()
    await expect(queued).rejects.toBe(error)
    await expect(limiter.run(() => query)).rejects.toBe(error)
    await flush()
    expect(query.executions).toBe(2)
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('rejects with the error of a throwing then getter and gives the token back', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const error = new Error('getter failed')
    const hostile = Object.defineProperty({}, 'then', {
      get() {
        throw error
      },
    })
    await expect(limiter.run(() => hostile)).rejects.toBe(error)
    expect(limiter.borrowedTokens).toBe(0)
  })
})
