import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TtlCache } from '../src/index.js'
import { deferred, flush, rejectionOf, useFakeClock } from './deferred.js'
import { revalidatingCache } from './revalidating-cache.js'

describe('stale-while-revalidate', () => {
  beforeEach(() => {
    useFakeClock()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  function staleCache(negativeTtlMs = 0) {
    return revalidatingCache({ ttlMs: 1000, staleWhileRevalidateMs: 500, negativeTtlMs })
  }

  it('after the TTL serves the stale value and runs exactly one background refresh', async () => {
    const cache = staleCache()
    cache.set('k', 'old')
    vi.advanceTimersByTime(1000)
    const refresh = deferred<string>()
    let calls = 0
    const loader = () => {
      calls++
      return refresh.promise
    }
    const served = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('k', loader)))
    expect(served.every((value) => value === 'old')).toBe(true)
    expect(cache.get('k')).toBe('old')
    expect(calls).toBe(1)
    expect(cache.stats()).toMatchObject({ running: 1, waiting: 0 })
    refresh.resolve('new')
    await flush()
    expect(cache.stats().running).toBe(0)
    expect(await cache.getOrLoad('k', loader)).toBe('new')
    expect(calls).toBe(1)
    expect(cache.stats()).toMatchObject({ staleHits: 51, loads: 1, hits: 1 })
  })

  it('emits stale for each stale answer', async () => {
    const cache = staleCache()
    const stale: string[] = []
    cache.on('stale', ({ key }) => stale.push(key))
    cache.set('k', 'old')
    vi.advanceTimersByTime(1200)
    await cache.getOrLoad('k', () => 'new')
    expect(stale).toEqual(['k'])
  })

  it('a failing refresh keeps the stale value until it expires for good and reports the error', async () => {
    const cache = staleCache()
    const reported: unknown[] = []
    cache.on('loadError', ({ key, error }) => reported.push([key, error]))
    cache.set('k', 'old')
    vi.advanceTimersByTime(1000)
    const failure = new Error('upstream 500')
    const loader = vi.fn(async () => {
      throw failure
    })
    expect(await cache.getOrLoad('k', loader)).toBe('old')
    await flush()
    expect(reported).toEqual([['k', failure]])
    expect(cache.stats().loadErrors).toBe(1)
    expect(await cache.getOrLoad('k', loader)).toBe('old')
    vi.advanceTimersByTime(499)
    expect(cache.get('k')).toBe('old')
    vi.advanceTimersByTime(1)
    expect(cache.get('k')).toBeUndefined()
    expect(await rejectionOf(cache.getOrLoad('k', loader))).toBe(failure)
  })

  it('after a failed refresh, the next refresh waits negativeTtlMs', async () => {
    const cache = staleCache(200)
    cache.set('k', 'old')
    vi.advanceTimersByTime(1000)
    let calls = 0
    const loader = async () => {
      calls++
      throw new Error('still down')
    }
    await cache.getOrLoad('k', loader)
    await flush()
    expect(cache.stats().loadErrors).toBe(1)
    await cache.getOrLoad('k', loader)
    vi.advanceTimersByTime(199)
    await cache.getOrLoad('k', loader)
    expect(calls).toBe(1)
    vi.advanceTimersByTime(1)
    await cache.getOrLoad('k', loader)
    expect(calls).toBe(2)
  })

  it('without a stale window an expired value is a miss that waits for the load', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 1000, sweepIntervalMs: 0 })
    cache.set('k', 'old')
    vi.advanceTimersByTime(1000)
    expect(await cache.getOrLoad('k', () => 'new')).toBe('new')
    expect(cache.stats()).toMatchObject({ staleHits: 0, misses: 1, evictions: 1 })
  })

  it('callers that miss after the stale value expired for good join the running refresh', async () => {
    const cache = staleCache()
    cache.set('k', 'old')
    vi.advanceTimersByTime(1000)
    const refresh = deferred<string>()
    let calls = 0
    const loader = () => {
      calls++
      return refresh.promise
    }
    expect(await cache.getOrLoad('k', loader)).toBe('old')
    vi.advanceTimersByTime(500)
    const waiting = cache.getOrLoad('k', loader)
    refresh.resolve('new')
    expect(await waiting).toBe('new')
    expect(calls).toBe(1)
  })

  it('a refresh by a caller that names no tags keeps the tags of the stale value', async () => {
    const cache = staleCache()
    cache.set('k', 'old', { tags: ['items'] })
    vi.advanceTimersByTime(1000)
    expect(await cache.getOrLoad('k', () => 'new')).toBe('old')
    await flush()
    expect(cache.get('k')).toBe('new')
    expect(cache.invalidateTag('items')).toBe(1)
  })
})
