import { describe, expect, it, vi } from 'vitest'
import { AbortError } from '../src/redis/index.js'
import { deferred } from './deferred.js'
import { eventually, redisTestBedPerTest } from './redis-fixtures.js'

describe('Redis tier: stats, events, ordering, stale values and aborts', () => {
  const bed = redisTestBedPerTest()

  it('stats() has exactly the shape of TtlCache.stats(), counted across both tiers', async () => {
    const first = bed.cache<string>()
    const second = bed.cache<string>()
    await first.getOrLoad('k', () => 'v')
    await second.getOrLoad('k', () => 'never')
    await second.getOrLoad('k', () => 'never')
    await expect(second.getOrLoad('bad', () => Promise.reject(new Error('x')))).rejects.toThrow('x')
    expect(second.stats()).toEqual({
      name: 'cache',
      waiting: 0,
      running: 0,
      hits: 2,
      misses: 1,
      staleHits: 0,
      loads: 1,
      loadErrors: 1,
      evictions: 0,
      size: 1,
    })
  })

  it('emits hit (memory or Redis), miss (neither tier) and loadError', async () => {
    const first = bed.cache<string>()
    const second = bed.cache<string>()
    const events: string[] = []
    second.on('hit', ({ key }) => events.push(`hit:${key}`))
    second.on('miss', ({ key }) => events.push(`miss:${key}`))
    second.on('loadError', ({ key }) => events.push(`loadError:${key}`))
    await first.getOrLoad('shared', () => 'v')
    await second.getOrLoad('shared', () => 'never')
    await second.getOrLoad('shared', () => 'never')
    await second.getOrLoad('failing', () => Promise.reject(new Error('x'))).catch(() => {})
    expect(events).toEqual(['hit:shared', 'hit:shared', 'miss:failing', 'loadError:failing'])
  })

  it('an invalidation deletes in Redis first, then in memory', async () => {
    const redis = bed.client()
    const cache = bed.cache<string>({ redis })
    await cache.getOrLoad('k', () => 'v', { tags: ['t'] })
    const redisCall = vi.spyOn(redis, 'evalsha')
    const memoryDelete = vi.spyOn(cache.memory, 'delete')
    const memoryTag = vi.spyOn(cache.memory, 'invalidateTag')
    await cache.delete('k')
    await cache.invalidateTag('t')
    expect(redisCall.mock.invocationCallOrder[0]).toBeLessThan(
      memoryDelete.mock.invocationCallOrder[0]!,
    )
    expect(redisCall.mock.invocationCallOrder[1]).toBeLessThan(
      memoryTag.mock.invocationCallOrder[0]!,
    )
  })

  it('serves a stale memory value while one refresh re-reads Redis', async () => {
    const first = bed.cache<string>()
    const second = bed.cache<string>({ memoryTtlMs: 50, staleWhileRevalidateMs: 60_000 })
    await first.getOrLoad('k', () => 'v1')
    expect(await second.getOrLoad('k', () => 'never')).toBe('v1')
    await new Promise((resolve) => setTimeout(resolve, 80))
    let loads = 0
    const loader = () => {
      loads++
      return 'never'
    }
    expect(await second.getOrLoadWithStatus('k', loader)).toEqual({ value: 'v1', status: 'stale' })
    await eventually(() => expect(second.memory.stats().running).toBe(0))
    expect(await second.getOrLoadWithStatus('k', loader)).toEqual({ value: 'v1', status: 'hit' })
    expect(loads).toBe(0)
    expect(second.redisStats().redisHits).toBe(2)
  })

  it("a caller's abort while waiting for another instance's load ends the wait; nobody waits, so nothing loads", async () => {
    const admin = bed.client()
    await admin.set(`${bed.prefix}lock:k`, 'another instance', 'PX', 60_000)
    const cache = bed.cache<string>({ lockPollMs: 10, lockWaitMs: 30_000 })
    const controller = new AbortController()
    let loads = 0
    const waiting = cache.getOrLoad(
      'k',
      () => {
        loads++
        return 'v'
      },
      { signal: controller.signal },
    )
    await eventually(() => expect(cache.redisStats().lockWaits).toBe(1))
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(AbortError)
    await eventually(() => expect(cache.memory.stats().running).toBe(0))
    expect(loads).toBe(0)
    expect(cache.stats().loadErrors).toBe(0)
  })

  it('has a name, and counts waiting callers and running loader calls', async () => {
    const cache = bed.cache<string>({ name: 'catalog' })
    expect(cache.name).toBe('catalog')
    expect(cache.memory.name).toBe('catalog')
    const load = deferred<string>()
    const callers = [cache.getOrLoad('k', () => load.promise), cache.getOrLoad('k', () => 'unused')]
    await eventually(() => expect(cache.stats()).toMatchObject({ waiting: 2, running: 1 }))
    expect(cache.stats().name).toBe('catalog')
    load.resolve('v')
    expect(await Promise.all(callers)).toEqual(['v', 'v'])
    expect(cache.stats()).toMatchObject({ waiting: 0, running: 0, loads: 1 })
  })

  it('passes on memory-tier events only while someone listens, each as one object', async () => {
    const cache = bed.cache<string>({ max: 1 })
    await cache.getOrLoad('a', () => 'A')
    expect(cache.memory.listenerCount('hit')).toBe(0)
    const seen: unknown[][] = []
    const onHit = (...args: unknown[]) => seen.push(['hit', ...args])
    cache.on('hit', onHit)
    cache.once('evict', (...args: unknown[]) => seen.push(['evict', ...args]))
    await cache.getOrLoad('a', () => 'unused')
    await cache.getOrLoad('b', () => 'B')
    expect(seen).toEqual([
      ['hit', { key: 'a' }],
      ['evict', { key: 'a', reason: 'capacity' }],
    ])
    cache.off('hit', onHit)
    await cache.getOrLoad('b', () => 'unused')
    // The first memory hit nobody listens to removes the forwarder.
    expect(cache.memory.listenerCount('hit')).toBe(0)
    expect(seen).toHaveLength(2)
  })
})
