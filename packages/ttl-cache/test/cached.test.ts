import { describe, expect, expectTypeOf, it } from 'vitest'
import { cached, TtlCache } from '../src/index.js'
import { deferred } from './deferred.js'

interface Item {
  id: number
  name: string
}

describe('cached()', () => {
  it('is typed like the wrapped function and caches by key', async () => {
    const cache = new TtlCache<string, Item>({ max: 100, ttlMs: 60_000 })
    let calls = 0
    async function fetchItem(id: number): Promise<Item> {
      calls++
      return { id, name: `item ${id}` }
    }
    const getItem = cached(fetchItem, { cache, key: (id) => `item:${id}`, ttlMs: 60_000 })
    expectTypeOf(getItem).toEqualTypeOf<(id: number) => Promise<Item>>()
    expect(await getItem(1)).toEqual({ id: 1, name: 'item 1' })
    expect(await getItem(1)).toEqual({ id: 1, name: 'item 1' })
    expect(await getItem(2)).toEqual({ id: 2, name: 'item 2' })
    expect(calls).toBe(2)
    expect(cache.has('item:1')).toBe(true)
  })

  it('wraps synchronous functions too, with several arguments', async () => {
    const cache = new TtlCache<string, number>({ max: 100, ttlMs: 60_000 })
    const add = (left: number, right: number) => left + right
    const cachedAdd = cached(add, { cache, key: (left, right) => `${left}+${right}` })
    expectTypeOf(cachedAdd).toEqualTypeOf<(left: number, right: number) => Promise<number>>()
    expect(await cachedAdd(2, 3)).toBe(5)
    expect(cache.get('2+3')).toBe(5)
  })

  it('protects against a stampede: concurrent calls with one key run the function once', async () => {
    const cache = new TtlCache<string, string>({ max: 100, ttlMs: 60_000 })
    const gate = deferred<string>()
    let calls = 0
    const slow = cached(
      (_id: number) => {
        calls++
        return gate.promise
      },
      { cache, key: (id) => `slow:${id}` },
    )
    const all = Promise.all(Array.from({ length: 100 }, () => slow(7)))
    gate.resolve('done')
    expect(new Set(await all)).toEqual(new Set(['done']))
    expect(calls).toBe(1)
  })

  it('passes this through, stores with fixed or computed tags and the given TTL options', async () => {
    const cache = new TtlCache<string, string>({ max: 100, ttlMs: 60_000 })
    const repository = {
      prefix: 'row',
      load: cached(
        function (this: { prefix: string }, id: number) {
          return `${this.prefix} ${id}`
        },
        { cache, key: (id) => `row:${id}`, tags: (id) => ['rows', `row:${id}`] },
      ),
    }
    expect(await repository.load(3)).toBe('row 3')
    const fixed = cached((id: number) => `fixed ${id}`, {
      cache,
      key: (id) => `fixed:${id}`,
      tags: ['fixed'],
    })
    await fixed(1)
    expect(cache.invalidateTag('row:3')).toBe(1)
    expect(cache.invalidateTag('fixed')).toBe(1)
  })

  it('refuses missing options with a clear error', () => {
    const cache = new TtlCache<string, string>({ max: 100, ttlMs: 60_000 })
    expect(() => cached((id: number) => `${id}`, { cache } as never)).toThrow(
      'key must be a function, got undefined',
    )
    expect(() => cached((id: number) => `${id}`, { key: String } as never)).toThrow(
      'cache must be a TtlCache (or another cache with getOrLoad), got undefined',
    )
    expect(() => cached(undefined as never, { cache, key: String })).toThrow(
      'fn must be a function, got undefined',
    )
  })
})
