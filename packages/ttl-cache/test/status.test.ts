import { afterEach, describe, expect, it, vi } from 'vitest'
import { TtlCache } from '../src/index.js'
import { deferred, flush, useFakeClock } from './deferred.js'
import { revalidatingCache } from './revalidating-cache.js'

describe('getOrLoadWithStatus tells how a value was served', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('miss for the loading call and its joiners, hit when fresh, stale in the stale window', async () => {
    useFakeClock()
    const cache = revalidatingCache({ ttlMs: 1000, staleWhileRevalidateMs: 1000 })
    const gate = deferred<string>()
    const first = cache.getOrLoadWithStatus('k', () => gate.promise)
    const joined = cache.getOrLoadWithStatus('k', () => 'unused', {
      signal: new AbortController().signal,
    })
    gate.resolve('v1')
    expect(await first).toEqual({ value: 'v1', status: 'miss' })
    expect(await joined).toEqual({ value: 'v1', status: 'miss' })
    expect(await cache.getOrLoadWithStatus('k', () => 'unused')).toEqual({
      value: 'v1',
      status: 'hit',
    })
    vi.advanceTimersByTime(1000)
    expect(await cache.getOrLoadWithStatus('k', () => 'v2')).toEqual({
      value: 'v1',
      status: 'stale',
    })
    await flush()
    expect(await cache.getOrLoadWithStatus('k', () => 'v3')).toEqual({
      value: 'v2',
      status: 'hit',
    })
  })

  it('hits share one frozen result, so a hit allocates nothing', async () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 60_000 })
    cache.set('k', 1)
    const first = cache.getOrLoadWithStatus('k', () => 2)
    expect(cache.getOrLoadWithStatus('k', () => 2)).toBe(first)
    expect(Object.isFrozen(await first)).toBe(true)
  })

  it('rejects like getOrLoad when the load fails', async () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 60_000 })
    const failure = new Error('boom')
    await expect(cache.getOrLoadWithStatus('k', () => Promise.reject(failure))).rejects.toBe(
      failure,
    )
  })
})
