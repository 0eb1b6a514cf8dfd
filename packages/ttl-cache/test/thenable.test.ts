import { afterEach, describe, expect, it, vi } from 'vitest'
import { cached, TtlCache } from '../src/index.js'
import { countingThenable } from './counting-thenable.js'
import { flush, useFakeClock } from './deferred.js'
import { revalidatingCache } from './revalidating-cache.js'

describe("a loader's thenable result is adopted once: then() is called exactly once", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('getOrLoad', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const query = countingThenable('row')
    const waiting = [cache.getOrLoad('k', () => query), cache.getOrLoad('k', () => query)]
    expect(await Promise.all(waiting)).toEqual(['row', 'row'])
    expect(await cache.getOrLoad('k', () => query)).toBe('row')
    expect(query.runs).toBe(1)
  })

  it('getOrLoadWithStatus, with and without a signal', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const query = countingThenable('row')
    const signal = new AbortController().signal
    const results = await Promise.all([
      cache.getOrLoadWithStatus('k', () => query),
      cache.getOrLoadWithStatus('k', () => query, { signal }),
    ])
    expect(results).toEqual([
      { value: 'row', status: 'miss' },
      { value: 'row', status: 'miss' },
    ])
    expect(query.runs).toBe(1)
  })

  it('a background refresh of a stale value', async () => {
    useFakeClock()
    const cache = revalidatingCache({ ttlMs: 100, staleWhileRevalidateMs: 1000 })
    cache.set('k', 'old')
    vi.advanceTimersByTime(100)
    const query = countingThenable('new')
    expect(await cache.getOrLoad('k', () => query)).toBe('old')
    await flush()
    expect(cache.get('k')).toBe('new')
    expect(query.runs).toBe(1)
  })

  it('a thenable that resolves to undefined is refused without a second then()', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const query = countingThenable(undefined as unknown as string)
    await expect(cache.getOrLoad('k', () => query)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_CACHE_VALUE',
    })
    expect(query.runs).toBe(1)
  })

  it('cached()', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const queries: ReturnType<typeof countingThenable<string>>[] = []
    const findName = cached(
      (id: number) => {
        const query = countingThenable(`name ${id}`)
        queries.push(query)
        return query
      },
      { cache, key: (id) => `name:${id}`, tags: ['names'] },
    )
    expect(await Promise.all([findName(1), findName(1), findName(2)])).toEqual([
      'name 1',
      'name 1',
      'name 2',
    ])
    expect(await findName(1)).toBe('name 1')
    expect(queries.map((query) => query.runs)).toEqual([1, 1])
  })
})
