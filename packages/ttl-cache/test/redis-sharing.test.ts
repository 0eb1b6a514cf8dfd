import { describe, expect, it } from 'vitest'
import { redisTestBedPerTest } from './redis-fixtures.js'

interface Item {
  id: number
  name: string
}

describe('Redis tier: two instances share values', () => {
  const bed = redisTestBedPerTest()

  it('a value loaded by one instance is served from Redis by another, which does not load', async () => {
    const first = bed.cache<Item>()
    const second = bed.cache<Item>()
    let loads = 0
    const loader = async () => {
      loads++
      return { id: 1, name: 'one' }
    }
    expect(await first.getOrLoadWithStatus('item:1', loader)).toEqual({
      value: { id: 1, name: 'one' },
      status: 'miss',
    })
    expect(await second.getOrLoadWithStatus('item:1', loader)).toEqual({
      value: { id: 1, name: 'one' },
      status: 'hit',
    })
    expect(await second.getOrLoadWithStatus('item:1', loader)).toMatchObject({ status: 'hit' })
    expect(loads).toBe(1)
    expect(first.stats()).toMatchObject({ misses: 1, loads: 1, hits: 0, size: 1 })
    expect(second.stats()).toMatchObject({ misses: 0, loads: 0, hits: 2, size: 1 })
    expect(second.redisStats()).toMatchObject({ memoryHits: 1, redisHits: 1, redisErrors: 0 })
  })

  it('keeps the TTL in Redis, and memory keeps a value read from Redis no longer than its remaining TTL', async () => {
    const first = bed.cache<string>({ ttlMs: 60_000 })
    await first.getOrLoad('k', () => 'v', { ttlMs: 30_000 })
    const pttl = await bed.client().pttl(`${bed.prefix}value:k`)
    expect(pttl).toBeGreaterThan(25_000)
    expect(pttl).toBeLessThanOrEqual(30_000)
    const admin = bed.client()
    await admin.pexpire(`${bed.prefix}value:k`, 150)
    const second = bed.cache<string>({ ttlMs: 60_000 })
    expect(await second.get('k')).toBe('v')
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(second.memory.has('k')).toBe(false)
    let loads = 0
    expect(
      await second.getOrLoad('k', () => {
        loads++
        return 'reloaded'
      }),
    ).toBe('reloaded')
    expect(loads).toBe(1)
  })

  it('serializes with JSON by default and with a pluggable serializer', async () => {
    const plain = bed.cache<{ when: string }>()
    await plain.set('json', { when: 'now' })
    const raw = await bed.client().get(`${bed.prefix}value:json`)
    expect(raw).toBe('\n{"when":"now"}')
    const dates = {
      serialize: (value: Date) => `date:${value.toISOString()}`,
      deserialize: (text: string) => new Date(text.slice('date:'.length)),
    }
    const writer = bed.cache<Date>({ serializer: dates })
    const reader = bed.cache<Date>({ serializer: dates })
    await writer.set('d', new Date('2026-01-02T03:04:05.000Z'), { tags: ['dates'] })
    expect(await bed.client().get(`${bed.prefix}value:d`)).toBe(
      '["dates"]\ndate:2026-01-02T03:04:05.000Z',
    )
    const read = await reader.get('d')
    expect(read).toBeInstanceOf(Date)
    expect(read?.toISOString()).toBe('2026-01-02T03:04:05.000Z')
  })

  it('a value the serializer refuses is rejected by set and kept in memory only after a load', async () => {
    const cache = bed.cache<{ big: bigint }>()
    const errors: string[] = []
    cache.on('redisError', ({ error, operation }) => {
      errors.push(`${operation}:${(error as Error).name}`)
    })
    await expect(cache.set('b', { big: 1n })).rejects.toMatchObject({
      name: 'SerializationError',
      code: 'LOOPWORK_SERIALIZATION',
    })
    expect(await cache.getOrLoad('b', () => ({ big: 2n }))).toEqual({ big: 2n })
    expect(cache.memory.has('b')).toBe(true)
    expect(await bed.client().exists(`${bed.prefix}value:b`)).toBe(0)
    expect(errors).toEqual(['serialize:SerializationError'])
  })

  it('a stored value that cannot be decoded counts as a miss and is reloaded over', async () => {
    const cache = bed.cache<string>()
    await bed.client().set(`${bed.prefix}value:k`, 'not an envelope')
    expect(await cache.getOrLoad('k', () => 'fresh')).toBe('fresh')
    expect(cache.redisStats().redisErrors).toBe(1)
    expect(await bed.client().get(`${bed.prefix}value:k`)).toBe('\n"fresh"')
  })

  it('a value read from Redis keeps its tags, so a tag invalidation evicts it there too', async () => {
    const first = bed.cache<string>()
    const second = bed.cache<string>()
    await second.ready()
    await first.getOrLoad('k', () => 'v', { tags: ['items'] })
    expect(await second.getOrLoad('k', () => 'never')).toBe('v')
    expect(second.memory.invalidateTag('items')).toBe(1)
  })

  it('bad input gets clear errors', async () => {
    const redis = bed.client()
    expect(() => bed.cache({ redis, ttlMs: 0 })).toThrow(
      'ttlMs must be a number of milliseconds from 1 to 2147483647, got 0',
    )
    expect(() => bed.cache({ redis, ttlMs: Number.POSITIVE_INFINITY })).toThrow(
      /^ttlMs must be a number of milliseconds from 1 to 2147483647, got Infinity$/,
    )
    expect(() => bed.cache({ redis: {} as never })).toThrow(
      'redis must be an ioredis client (new Redis(url)), got an object',
    )
    expect(() => bed.cache({ redis, max: 0 })).toThrow(/^max must be an integer from 1 /)
    expect(() => bed.cache({ redis, lockPollMs: -1 })).toThrow(/^lockPollMs/)
    expect(() => bed.cache({ redis, keyPrefix: '' })).toThrow(
      'keyPrefix must be a non-empty string, got ""',
    )
    const cache = bed.cache<string>({ redis })
    await expect(cache.getOrLoad(1 as never, () => 'v')).rejects.toThrow(
      'key must be a string (it becomes a Redis key), got 1',
    )
    await expect(cache.set('k', undefined as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_CACHE_VALUE',
    })
    await expect(cache.getOrLoad('k', () => 'v', { ttlMs: -1 })).rejects.toThrow(
      'ttlMs must be a number of milliseconds from 1 to 2147483647, got -1',
    )
  })
})
