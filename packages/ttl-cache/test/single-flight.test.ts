import { afterEach, describe, expect, it, vi } from 'vitest'
import { TtlCache } from '../src/index.js'
import { deferred, flush, rejectionOf, useFakeClock } from './deferred.js'

describe('single flight', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('1,000 concurrent misses on one key run the loader once and all get its value', async () => {
    const cache = new TtlCache<string, { id: number }>({ max: 100, ttlMs: 60_000 })
    const gate = deferred<{ id: number }>()
    let calls = 0
    const loader = () => {
      calls++
      return gate.promise
    }
    const waiting = Array.from({ length: 1000 }, () => cache.getOrLoad('item:1', loader))
    expect(cache.stats()).toMatchObject({ running: 1, waiting: 1000 })
    gate.resolve({ id: 1 })
    const values = await Promise.all(waiting)
    expect(calls).toBe(1)
    expect(new Set(values).size).toBe(1)
    expect(values[0]).toEqual({ id: 1 })
    expect(cache.stats()).toMatchObject({ misses: 1000, loads: 1, hits: 0, size: 1 })
    await expect(cache.getOrLoad('item:1', loader)).resolves.toEqual({ id: 1 })
    expect(calls).toBe(1)
    expect(cache.stats().hits).toBe(1)
  })

  it('a hit hands out the same settled promise every time (no allocation per hit)', async () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 60_000 })
    cache.set('a', 1)
    const first = cache.getOrLoad('a', () => 2)
    expect(cache.getOrLoad('a', () => 2)).toBe(first)
    await expect(first).resolves.toBe(1)
  })

  it('every waiting caller gets the error of a failed load; it is not cached and the next call retries', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const failure = new Error('database down')
    let calls = 0
    const failing = async () => {
      calls++
      throw failure
    }
    const outcomes = await Promise.allSettled([
      cache.getOrLoad('k', failing),
      cache.getOrLoad('k', failing),
      cache.getOrLoad('k', failing),
    ])
    expect(calls).toBe(1)
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason)).toEqual([
      failure,
      failure,
      failure,
    ])
    expect(cache.size).toBe(0)
    await expect(cache.getOrLoad('k', () => 'recovered')).resolves.toBe('recovered')
    expect(cache.stats()).toMatchObject({ loads: 2, loadErrors: 1 })
  })

  it('a loader that throws synchronously is a failed load too', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const errors: unknown[] = []
    cache.on('loadError', ({ key, error }) => errors.push([key, error]))
    const failure = new Error('sync')
    await expect(
      cache.getOrLoad('k', () => {
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(errors).toEqual([['k', failure]])
  })

  it('with negativeTtlMs a failure is remembered for that long, then the loader is retried', async () => {
    useFakeClock()
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000, negativeTtlMs: 500 })
    const failure = new Error('not found upstream')
    let calls = 0
    const loader = async () => {
      calls++
      if (calls === 1) throw failure
      return 'second try'
    }
    expect(await rejectionOf(cache.getOrLoad('k', loader))).toBe(failure)
    expect(await rejectionOf(cache.getOrLoad('k', loader))).toBe(failure)
    expect(calls).toBe(1)
    expect(cache.get('k')).toBeUndefined()
    expect(cache.has('k')).toBe(false)
    vi.advanceTimersByTime(499)
    expect(await rejectionOf(cache.getOrLoad('k', loader))).toBe(failure)
    vi.advanceTimersByTime(1)
    await expect(cache.getOrLoad('k', loader)).resolves.toBe('second try')
    expect(calls).toBe(2)
    expect(cache.stats()).toMatchObject({ loads: 2, loadErrors: 1 })
  })

  it('loads of different keys run independently', async () => {
    const cache = new TtlCache<number, number>({ max: 10, ttlMs: 60_000 })
    let calls = 0
    const values = await Promise.all(
      [1, 2, 3, 1, 2, 3].map((key) =>
        cache.getOrLoad(key, async ({ key: loaded }) => {
          calls++
          await flush()
          return loaded * 10
        }),
      ),
    )
    expect(values).toEqual([10, 20, 30, 10, 20, 30])
    expect(calls).toBe(3)
  })

  it('a loader may set the TTL of its value, and 0 returns it without storing', async () => {
    useFakeClock()
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000, sweepIntervalMs: 0 })
    await cache.getOrLoad('short', (context) => {
      context.setTtl(100)
      return 'v'
    })
    await expect(
      cache.getOrLoad('none', (context) => {
        context.setTtl(0)
        return 'not stored'
      }),
    ).resolves.toBe('not stored')
    expect(cache.has('none')).toBe(false)
    vi.advanceTimersByTime(100)
    expect(cache.has('short')).toBe(false)
  })
})

describe('loader context', () => {
  it('a loader may set the tags of its value from the loaded data', async () => {
    const cache = new TtlCache<string, { tenant: string }>({ max: 10, ttlMs: 60_000 })
    await cache.getOrLoad('row:1', async (context) => {
      const row = { tenant: 'acme' }
      context.setTags([`tenant:${row.tenant}`])
      return row
    })
    expect(cache.invalidateTag('tenant:acme')).toBe(1)
  })

  it('a tag set by the loader also keeps an invalidated load from storing', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const gate = deferred<string>()
    const pending = cache.getOrLoad('k', (context) => {
      context.setTags(['late'])
      return gate.promise
    })
    cache.invalidateTag('late')
    gate.resolve('v')
    await pending
    expect(cache.has('k')).toBe(false)
  })
})
