import { afterEach, describe, expect, it, vi } from 'vitest'
import { TtlCache } from '../src/index.js'
import { deferred, flush, useFakeClock } from './deferred.js'
import { revalidatingCache } from './revalidating-cache.js'

describe('name, waiting and running', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("has a name, 'cache' unless told otherwise, repeated in stats()", () => {
    const unnamed = new TtlCache<string, number>({ max: 10, ttlMs: 1000 })
    const named = new TtlCache<string, number>({ name: 'items', max: 10, ttlMs: 1000 })
    expect(unnamed.name).toBe('cache')
    expect(unnamed.stats().name).toBe('cache')
    expect(named.name).toBe('items')
    expect(named.stats()).toMatchObject({ name: 'items', waiting: 0, running: 0 })
  })

  it('counts the callers waiting on loads in flight and the loader calls running', async () => {
    useFakeClock()
    const cache = revalidatingCache({ ttlMs: 100, staleWhileRevalidateMs: 1000 })
    cache.set('stale', 'old')
    vi.advanceTimersByTime(100)
    const load = deferred<string>()
    const refresh = deferred<string>()
    const leaving = new AbortController()
    const callers = [
      cache.getOrLoad('k', () => load.promise),
      cache.getOrLoadWithStatus('k', () => 'unused'),
      cache.getOrLoad('k', () => 'unused', { signal: leaving.signal }),
    ]
    // A stale answer waits for nothing, but its background refresh runs.
    expect(await cache.getOrLoad('stale', () => refresh.promise)).toBe('old')
    expect(cache.stats()).toMatchObject({ waiting: 3, running: 2 })
    leaving.abort()
    await expect(callers[2]).rejects.toMatchObject({ name: 'AbortError' })
    expect(cache.stats()).toMatchObject({ waiting: 2, running: 2 })
    load.resolve('v')
    await Promise.all(callers.slice(0, 2))
    expect(cache.stats()).toMatchObject({ waiting: 0, running: 1 })
    refresh.resolve('new')
    await flush()
    expect(cache.stats()).toMatchObject({ waiting: 0, running: 0, loads: 2 })
  })

  it('a load detached by delete() runs, and its callers wait, until it settles; a failure counts down too', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const load = deferred<string>()
    const waiting = cache.getOrLoad('k', () => load.promise)
    cache.delete('k')
    expect(cache.stats()).toMatchObject({ waiting: 1, running: 1 })
    const failing = cache.getOrLoad('other', () => Promise.reject(new Error('down')))
    expect(cache.stats()).toMatchObject({ waiting: 2, running: 2 })
    await expect(failing).rejects.toThrow('down')
    expect(cache.stats()).toMatchObject({ waiting: 1, running: 1 })
    load.resolve('v')
    await waiting
    expect(cache.stats()).toMatchObject({ waiting: 0, running: 0 })
    expect(cache.has('k')).toBe(false)
  })

  it('an abort racing the end of a load does not count the caller twice', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const load = deferred<string>()
    const controller = new AbortController()
    const plain = cache.getOrLoad('k', () => load.promise)
    const aborting = cache.getOrLoad('k', () => 'unused', { signal: controller.signal })
    // Runs right after the cache saw the outcome, before the waiting callers' own reactions.
    const abortedLate = load.promise.then(() => controller.abort())
    load.resolve('v')
    await abortedLate
    await plain
    await aborting.catch(() => {})
    expect(cache.stats()).toMatchObject({ waiting: 0, running: 0 })
  })
})

describe('every listener gets one event object', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('hit, miss, stale, evict and loadError', async () => {
    useFakeClock()
    const cache = revalidatingCache({ max: 2, ttlMs: 100, staleWhileRevalidateMs: 100 })
    const seen: unknown[][] = []
    for (const name of ['hit', 'miss', 'stale', 'evict', 'loadError'] as const) {
      cache.on(name, (...args: unknown[]) => seen.push([name, ...args]))
    }
    const failure = new Error('down')
    cache.set('a', 'A')
    cache.get('a')
    cache.get('missing')
    vi.advanceTimersByTime(100)
    cache.get('a')
    vi.advanceTimersByTime(100)
    cache.get('a')
    cache.set('b', 'B')
    cache.set('c', 'C')
    cache.set('d', 'D')
    await cache.getOrLoad('e', () => Promise.reject(failure)).catch(() => {})
    expect(seen).toEqual([
      ['hit', { key: 'a' }],
      ['miss', { key: 'missing' }],
      ['stale', { key: 'a' }],
      ['evict', { key: 'a', reason: 'expired' }],
      ['miss', { key: 'a' }],
      ['evict', { key: 'b', reason: 'capacity' }],
      ['miss', { key: 'e' }],
      ['loadError', { key: 'e', error: failure }],
    ])
  })
})
