import { describe, expect, it } from 'vitest'
import { TtlCache } from '../src/index.js'
import { TagIndex } from '../src/internal/tag-index.js'

describe('memory stays bounded', () => {
  it('holds at most max entries under 10x more distinct keys, evicting least recently used first', async () => {
    const max = 1000
    const cache = new TtlCache<string, string>({ max, ttlMs: 60_000 })
    const evicted: string[] = []
    cache.on('evict', ({ key, reason }) => {
      if (reason === 'capacity') evicted.push(key)
    })
    for (let index = 0; index < 5 * max; index++) cache.set(`set:${index}`, 'v', { tags: ['all'] })
    for (let index = 0; index < 5 * max; index++) {
      await cache.getOrLoad(`load:${index}`, () => 'loaded', { tags: ['all', `own:${index}`] })
      expect(cache.size).toBeLessThanOrEqual(max)
    }
    expect(cache.size).toBe(max)
    expect(cache.stats().evictions).toBe(9 * max)
    expect(evicted.slice(0, 3)).toEqual(['set:0', 'set:1', 'set:2'])
    expect(cache.stats()).toMatchObject({ running: 0, waiting: 0 })
    // The tag index forgot the evicted keys: only resident entries are found by tag.
    expect(cache.invalidateTag('all')).toBe(max)
    expect(cache.size).toBe(0)
    cache.close()
  })

  it('holds at most maxSize by sizeCalculation', () => {
    const cache = new TtlCache<number, string>({
      maxSize: 1000,
      sizeCalculation: (value) => value.length,
      ttlMs: 60_000,
    })
    for (let index = 0; index < 1000; index++) cache.set(index, 'x'.repeat(1 + (index % 50)))
    let total = 0
    for (let index = 0; index < 1000; index++) total += cache.has(index) ? 1 + (index % 50) : 0
    expect(total).toBeLessThanOrEqual(1000)
    expect(total).toBeGreaterThan(900)
    cache.set(-1, 'y'.repeat(2000), { tags: ['huge'] })
    expect(cache.has(-1)).toBe(false)
    expect(cache.invalidateTag('huge')).toBe(0)
    cache.close()
  })

  it('the tag index drops keys and empty tags as entries leave', () => {
    const index = new TagIndex<string>()
    index.add('a', ['x', 'y'])
    index.add('b', ['x'])
    expect(index.size).toBe(2)
    index.remove('a', ['x', 'y'])
    expect(index.size).toBe(1)
    index.remove('b', ['x'])
    expect(index.size).toBe(0)
  })

  it('the tag index of a cache is empty again once tagged entries are evicted', () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    for (let index = 0; index < 100; index++) cache.set(`k${index}`, 'v', { tags: [`t${index}`] })
    let found = 0
    for (let index = 0; index < 90; index++) found += cache.invalidateTag(`t${index}`)
    expect(found).toBe(0)
    for (let index = 90; index < 100; index++) found += cache.invalidateTag(`t${index}`)
    expect(found).toBe(10)
    cache.close()
  })
})
