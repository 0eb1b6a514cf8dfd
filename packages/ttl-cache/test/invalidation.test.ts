import { describe, expect, it } from 'vitest'
import { TtlCache } from '../src/index.js'
import { deferred, flush } from './deferred.js'

function slowLoad() {
  const gate = deferred<string>()
  let calls = 0
  const loader = () => {
    calls++
    return calls === 1 ? gate.promise : Promise.resolve(`load ${calls}`)
  }
  return { gate, loader, calls: () => calls }
}

describe('invalidation and tags', () => {
  it('invalidateTag removes exactly the tagged entries', () => {
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 60_000 })
    cache.set('a', 1, { tags: ['items', 'tenant:1'] })
    cache.set('b', 2, { tags: ['items'] })
    cache.set('c', 3, { tags: ['users'] })
    cache.set('d', 4)
    expect(cache.invalidateTag('items')).toBe(2)
    expect([cache.has('a'), cache.has('b'), cache.has('c'), cache.has('d')]).toEqual([
      false,
      false,
      true,
      true,
    ])
    expect(cache.invalidateTag('tenant:1')).toBe(0)
    expect(cache.invalidateTag('unknown')).toBe(0)
  })

  it('getOrLoad stores its value with the tags of its options', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    await cache.getOrLoad('a', () => 'v', { tags: ['items'] })
    expect(cache.invalidateTag('items')).toBe(1)
    expect(cache.has('a')).toBe(false)
  })

  for (const [name, invalidate] of [
    ['delete', (cache: TtlCache<string, string>) => cache.delete('k')],
    ['invalidateTag', (cache: TtlCache<string, string>) => cache.invalidateTag('items')],
    ['clear', (cache: TtlCache<string, string>) => cache.clear()],
    ['set', (cache: TtlCache<string, string>) => cache.set('k', 'set meanwhile')],
  ] as const) {
    it(`${name} while a load runs: waiters get its value, but it is not written back and the next call loads afresh`, async () => {
      const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
      const { gate, loader, calls } = slowLoad()
      const waiting = cache.getOrLoad('k', loader, { tags: ['items'] })
      invalidate(cache)
      gate.resolve('read before the invalidation')
      await expect(waiting).resolves.toBe('read before the invalidation')
      await flush()
      const expected = name === 'set' ? 'set meanwhile' : 'load 2'
      await expect(cache.getOrLoad('k', loader)).resolves.toBe(expected)
      expect(calls()).toBe(name === 'set' ? 1 : 2)
    })
  }

  it('a tag invalidation leaves running loads with other tags alone', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const { gate, loader } = slowLoad()
    const waiting = cache.getOrLoad('k', loader, { tags: ['users'] })
    cache.invalidateTag('items')
    gate.resolve('kept')
    await waiting
    expect(cache.get('k')).toBe('kept')
  })

  it('deleting a key whose stale value is being refreshed aborts that refresh', async () => {
    const cache = new TtlCache<string, string>({
      max: 10,
      ttlMs: 0,
      staleWhileRevalidateMs: 60_000,
    })
    cache.set('k', 'stale at once')
    let signal: AbortSignal | undefined
    const gate = deferred<string>()
    await expect(
      cache.getOrLoad('k', (context) => {
        signal = context.signal
        return gate.promise
      }),
    ).resolves.toBe('stale at once')
    expect(signal?.aborted).toBe(false)
    cache.delete('k')
    expect(signal?.aborted).toBe(true)
    gate.resolve('too late')
    await flush()
    expect(cache.has('k')).toBe(false)
  })
})
