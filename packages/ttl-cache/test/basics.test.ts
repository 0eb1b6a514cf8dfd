import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { type CacheEvictEvent, type CacheKeyEvent, TtlCache } from '../src/index.js'
import { useFakeClock } from './deferred.js'

describe('get, set, delete, has, clear and TTL', () => {
  beforeEach(() => {
    useFakeClock()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('returns what was set until the TTL runs out, then removes it on read as an expiry', () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 1000, sweepIntervalMs: 0 })
    const evicted: unknown[][] = []
    cache.on('evict', (event) => evicted.push([event.key, event.reason]))
    cache.set('a', 1)
    vi.advanceTimersByTime(999)
    expect(cache.get('a')).toBe(1)
    expect(cache.has('a')).toBe(true)
    vi.advanceTimersByTime(1)
    expect(cache.has('a')).toBe(false)
    expect(cache.size).toBe(1)
    expect(cache.get('a')).toBeUndefined()
    expect(cache.size).toBe(0)
    expect(evicted).toEqual([['a', 'expired']])
    expect(cache.stats()).toEqual({
      name: 'cache',
      waiting: 0,
      running: 0,
      hits: 1,
      misses: 1,
      staleHits: 0,
      loads: 0,
      loadErrors: 0,
      evictions: 1,
      size: 0,
    })
  })

  it('honours a per-call ttlMs, Infinity and 0 (not stored)', () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 1000, sweepIntervalMs: 0 })
    cache.set('short', 's', { ttlMs: 10 })
    cache.set('forever', 'f', { ttlMs: Number.POSITIVE_INFINITY })
    cache.set('zero', 'old')
    cache.set('zero', 'z', { ttlMs: 0 })
    expect(cache.has('zero')).toBe(false)
    vi.advanceTimersByTime(10)
    expect(cache.get('short')).toBeUndefined()
    vi.advanceTimersByTime(1e9)
    expect(cache.get('forever')).toBe('f')
  })

  it('delete removes a key and says whether it was there; clear removes everything', () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 1000 })
    cache.set('a', 1).set('b', 2).set('c', 3)
    expect(cache.delete('a')).toBe(true)
    expect(cache.delete('a')).toBe(false)
    expect(cache.get('a')).toBeUndefined()
    cache.clear()
    expect(cache.size).toBe(0)
    expect(cache.get('b')).toBeUndefined()
    cache.close()
  })

  it('set overwrites the value, its TTL and its tags', () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 1000 })
    cache.set('a', 1, { tags: ['old'] })
    cache.set('a', 2, { tags: ['new'], ttlMs: 5000 })
    expect(cache.invalidateTag('old')).toBe(0)
    vi.advanceTimersByTime(2000)
    expect(cache.get('a')).toBe(2)
    expect(cache.invalidateTag('new')).toBe(1)
    expect(cache.get('a')).toBeUndefined()
    cache.close()
  })

  it('stats() has exactly the fields the metrics package reads, name, waiting and running included', () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 1000 })
    expect(Object.keys(cache.stats()).sort()).toEqual(
      [
        'name',
        'waiting',
        'running',
        'evictions',
        'hits',
        'loadErrors',
        'loads',
        'misses',
        'size',
        'staleHits',
      ].sort(),
    )
    expect(cache.stats()).not.toBe(cache.stats())
  })

  it('emits hit and miss events with one { key } object, and counts get() lookups', () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 1000 })
    const events: string[] = []
    cache.on('hit', ({ key }) => events.push(`hit:${key}`))
    cache.on('miss', ({ key }) => events.push(`miss:${key}`))
    cache.set('a', 1)
    cache.get('a')
    cache.get('b')
    expect(events).toEqual(['hit:a', 'miss:b'])
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 })
    cache.close()
  })

  it('on() types each listener from the events map, with the cache’s key type', () => {
    const cache = new TtlCache<number, string>({ max: 10, ttlMs: 1000 })
    const keys: number[] = []
    cache.on('hit', (event) => {
      expectTypeOf(event).toEqualTypeOf<CacheKeyEvent<number>>()
      keys.push(event.key)
    })
    // @ts-expect-error a hit event carries no eviction reason
    cache.on('hit', ({ reason }: CacheEvictEvent<number>) => reason)
    cache.set(1, 'one')
    cache.get(1)
    expect(keys).toEqual([1])
    cache.close()
  })

  it('reads do not extend the TTL (no sliding expiry, lru-cache updateAgeOnGet stays off)', async () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 1000, sweepIntervalMs: 0 })
    cache.set('a', 1)
    for (let elapsed = 0; elapsed < 900; elapsed += 300) {
      vi.advanceTimersByTime(300)
      expect(cache.get('a')).toBe(1)
      await expect(cache.getOrLoad('a', () => 2)).resolves.toBe(1)
    }
    vi.advanceTimersByTime(100)
    expect(cache.get('a')).toBeUndefined()
  })
})
