import { describe, expect, it, vi } from 'vitest'
import { deferred } from './deferred.js'
import { eventually, redisTestBedPerTest } from './redis-fixtures.js'

describe('Redis tier: invalidation across instances', () => {
  const bed = redisTestBedPerTest()

  async function twoWarmInstances() {
    const first = bed.cache<string>()
    const second = bed.cache<string>()
    await Promise.all([first.ready(), second.ready()])
    await first.getOrLoad('a', () => 'A', { tags: ['letters'] })
    await first.getOrLoad('b', () => 'B', { tags: ['letters'] })
    await first.getOrLoad('n', () => 'N', { tags: ['numbers'] })
    for (const key of ['a', 'b', 'n']) await second.getOrLoad(key, () => 'never loaded')
    expect(second.memory.size).toBe(3)
    return { first, second }
  }

  it('delete removes the key in Redis and from every instance memory', async () => {
    const { first, second } = await twoWarmInstances()
    expect(await first.delete('a')).toBe(true)
    expect(first.memory.has('a')).toBe(false)
    expect(await bed.client().exists(`${bed.prefix}value:a`)).toBe(0)
    await eventually(() => expect(second.memory.has('a')).toBe(false))
    expect(second.memory.has('b')).toBe(true)
    expect(second.redisStats().invalidationsReceived).toBe(1)
    expect(await second.getOrLoad('a', () => 'reloaded')).toBe('reloaded')
    expect(await first.delete('a-missing')).toBe(false)
  })

  it('invalidateTag removes the tagged keys in Redis and from every instance memory', async () => {
    const { first, second } = await twoWarmInstances()
    await second.invalidateTag('letters')
    const admin = bed.client()
    expect(await admin.exists(`${bed.prefix}value:a`, `${bed.prefix}value:b`)).toBe(0)
    expect(await admin.exists(`${bed.prefix}value:n`)).toBe(1)
    await eventually(() =>
      expect([first.memory.has('a'), first.memory.has('b')]).toEqual([false, false]),
    )
    expect(first.memory.has('n')).toBe(true)
    expect(second.memory.has('n')).toBe(true)
  })

  it('set replaces the value in Redis, and other instances drop their old copy', async () => {
    const { first, second } = await twoWarmInstances()
    await first.set('a', 'A2', { tags: ['letters'] })
    await eventually(() => expect(second.memory.has('a')).toBe(false))
    expect(await second.getOrLoad('a', () => 'never')).toBe('A2')
  })

  it('clear deletes every key of the cache with SCAN batches, never KEYS, and only this prefix', async () => {
    const { first, second } = await twoWarmInstances()
    const redis = bed.client()
    const cache = bed.cache<number>({ redis, scanCount: 100 })
    for (let index = 0; index < 350; index++) await cache.set(`many:${index}`, index)
    const other = bed.client()
    const outsider = `loopwork-test:ttl-cache:outsider:${bed.prefix}`
    await other.set(outsider, 'keep', 'PX', 60_000)
    const scan = vi.spyOn(redis, 'scan')
    const keys = vi.spyOn(redis, 'keys')
    await cache.clear()
    expect(keys).not.toHaveBeenCalled()
    expect(scan.mock.calls.length).toBeGreaterThan(1)
    expect(scan.mock.calls[0]).toContain(`${bed.prefix}*`)
    const [, left] = await other.scan('0', 'MATCH', `${bed.prefix}value:*`, 'COUNT', 10_000)
    expect(left).toEqual([])
    expect(await other.get(outsider)).toBe('keep')
    await other.del(outsider)
    await eventually(() => expect([first.memory.size, second.memory.size]).toEqual([0, 0]))
  })

  it('messages on the channel carry invalidations, never values', async () => {
    const { first } = await twoWarmInstances()
    const listener = bed.client()
    const messages: string[] = []
    listener.on('message', (_channel: string, message: string) => messages.push(message))
    await listener.subscribe(`${bed.prefix}invalidations`)
    await first.set('secret', 'the value itself')
    await first.delete('a')
    await first.invalidateTag('numbers')
    await eventually(() => expect(messages).toHaveLength(3))
    expect(messages.some((message) => message.includes('the value itself'))).toBe(false)
    expect(messages.map((message) => JSON.parse(message))).toEqual([
      { origin: expect.any(String), kind: 'key', key: 'secret' },
      { origin: expect.any(String), kind: 'key', key: 'a' },
      { origin: expect.any(String), kind: 'tag', tag: 'numbers' },
    ])
  })

  for (const [name, invalidate] of [
    ['delete', (cache: { delete(key: string): Promise<unknown> }) => cache.delete('k')],
    [
      'invalidateTag',
      (cache: { invalidateTag(tag: string): Promise<unknown> }) => cache.invalidateTag('items'),
    ],
    ['clear', (cache: { clear(): Promise<unknown> }) => cache.clear()],
  ] as const) {
    it(`a load invalidated (${name}) on another instance while it runs does not write its value back`, async () => {
      const loading = bed.cache<string>()
      const other = bed.cache<string>()
      await Promise.all([loading.ready(), other.ready()])
      const gate = deferred<string>()
      let loads = 0
      const pending = loading.getOrLoad(
        'k',
        () => {
          loads++
          return gate.promise
        },
        { tags: ['items'] },
      )
      await eventually(() => expect(loads).toBe(1))
      await invalidate(other as never)
      gate.resolve('read before the invalidation')
      expect(await pending).toBe('read before the invalidation')
      expect(await bed.client().exists(`${bed.prefix}value:k`)).toBe(0)
      expect(loading.memory.has('k')).toBe(false)
      expect(loading.redisStats().discardedWrites).toBe(1)
      expect(await loading.getOrLoad('k', () => 'fresh', { tags: ['items'] })).toBe('fresh')
    })
  }

  it('a value set while a load runs is not overwritten by the load', async () => {
    const loading = bed.cache<string>()
    const other = bed.cache<string>()
    const gate = deferred<string>()
    let loads = 0
    const pending = loading.getOrLoad('k', () => {
      loads++
      return gate.promise
    })
    await eventually(() => expect(loads).toBe(1))
    await other.set('k', 'newer')
    gate.resolve('older')
    await pending
    expect(await bed.client().get(`${bed.prefix}value:k`)).toBe('\n"newer"')
  })

  it('after its subscriber reconnects, an instance drops its memory (it may have missed invalidations)', async () => {
    const subscriber = bed.client()
    const cache = bed.cache<string>({ subscriber })
    await cache.ready()
    await cache.getOrLoad('k', () => 'v')
    expect(cache.memory.has('k')).toBe(true)
    subscriber.disconnect(true)
    await eventually(() => expect(cache.memory.has('k')).toBe(false))
  })
})
