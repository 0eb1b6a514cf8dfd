import { MAX_TIMEOUT_MS } from '@loopwork/internal'
import { thrownBy } from '@loopwork/internal/test-support/thrown-by'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { cached, InvalidCacheValueError, TtlCache } from '../src/index.js'
import { rejectionOf, useFakeClock } from './deferred.js'

function construct(options: unknown): () => TtlCache<string, string> {
  return () => new TtlCache<string, string>(options as never)
}

const durationMessage = (option: string, value: string) =>
  `${option} must be a number of milliseconds from 0 to 2147483647, or Infinity for no limit, got ${value}`

describe('bad input gets a clear error', () => {
  it('rejects a non-positive max, naming the option and the value', () => {
    const error = thrownBy(construct({ max: 0, ttlMs: 1000 }))
    expect(error).toBeInstanceOf(RangeError)
    expect(error).toMatchObject({
      message: 'max must be an integer from 1 to Number.MAX_SAFE_INTEGER, got 0',
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'max',
    })
    expect(construct({ max: -5, ttlMs: 1000 })).toThrow(/^max must be an integer .* got -5$/)
    expect(construct({ max: 1.5, ttlMs: 1000 })).toThrow(/^max must be an integer .* got 1.5$/)
    expect(construct({ max: '10', ttlMs: 1000 })).toThrow(TypeError)
  })

  it('requires a memory bound', () => {
    const error = thrownBy(construct({ ttlMs: 1000 }))
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({
      message:
        'TtlCache needs a memory bound: give max (a positive integer) and/or maxSize with sizeCalculation',
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'max',
    })
  })

  it('requires sizeCalculation with maxSize, and maxSize with sizeCalculation', () => {
    expect(construct({ maxSize: 100, ttlMs: 1000 })).toThrow(
      'sizeCalculation must be a function when maxSize is set',
    )
    expect(construct({ max: 10, sizeCalculation: () => 1, ttlMs: 1000 })).toThrow(
      'sizeCalculation is only used with maxSize; give maxSize too',
    )
    expect(construct({ maxSize: 0, sizeCalculation: () => 1, ttlMs: 1000 })).toThrow(
      'maxSize must be an integer from 1 to Number.MAX_SAFE_INTEGER, got 0',
    )
    expect(construct({ maxSize: 10, sizeCalculation: 5, ttlMs: 1000 })).toThrow(
      'sizeCalculation must be a function, got 5',
    )
  })

  it('accepts maxSize alone, or together with max', () => {
    expect(construct({ maxSize: 100, sizeCalculation: () => 1, ttlMs: 1000 })).not.toThrow()
    expect(construct({ max: 5, maxSize: 100, sizeCalculation: () => 1, ttlMs: 1000 })).not.toThrow()
  })

  it('rejects negative, NaN or missing TTLs with the option name', () => {
    const missing = thrownBy(construct({ max: 10 }))
    expect(missing).toBeInstanceOf(TypeError)
    expect(missing).toMatchObject({
      message: durationMessage('ttlMs', 'undefined'),
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'ttlMs',
    })
    const negative = thrownBy(construct({ max: 10, ttlMs: -1 }))
    expect(negative).toBeInstanceOf(RangeError)
    expect(negative).toMatchObject({
      message: durationMessage('ttlMs', '-1'),
      code: 'LOOPWORK_INVALID_OPTION',
    })
    expect(construct({ max: 10, ttlMs: Number.NaN })).toThrow(/^ttlMs .* got NaN$/)
    expect(construct({ max: 10, ttlMs: 10, staleWhileRevalidateMs: -1 })).toThrow(
      durationMessage('staleWhileRevalidateMs', '-1'),
    )
    expect(construct({ max: 10, ttlMs: 10, negativeTtlMs: -0.5 })).toThrow(
      /^negativeTtlMs must be .* got -0.5$/,
    )
    expect(construct({ max: 10, ttlMs: 10, sweepIntervalMs: -1 })).toThrow(/^sweepIntervalMs/)
    expect(construct({ max: 10, ttlMs: Number.POSITIVE_INFINITY })).not.toThrow()
    expect(construct({ max: 10, ttlMs: 10, name: '' })).toThrow(
      'name must be a non-empty string, got ""',
    )
  })

  it('rejects undefined as a value in set, and stores nothing', () => {
    const cache = new TtlCache<string, string | null>({ name: 'pages', max: 10, ttlMs: 1000 })
    cache.set('a', 'kept')
    expect(() => cache.set('a', undefined as never)).toThrow(InvalidCacheValueError)
    expect(() => cache.set('a', undefined as never)).toThrow(
      'cache "pages": set() was called with undefined for key "a"; a cached value must not be undefined (use null for "absent")',
    )
    expect(cache.get('a')).toBe('kept')
    cache.set('b', null)
    expect(cache.get('b')).toBeNull()
  })

  it('rejects a loader that resolves to undefined, caches nothing and counts a load error', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 1000 })
    const error = await rejectionOf(cache.getOrLoad('a', async () => undefined as never))
    expect(error).toBeInstanceOf(InvalidCacheValueError)
    expect(error).toMatchObject({
      name: 'InvalidCacheValueError',
      code: 'LOOPWORK_INVALID_CACHE_VALUE',
    })
    expect((error as Error).message).toMatch(/the loader resolved to undefined for key "a"/)
    expect(cache.size).toBe(0)
    expect(cache.stats().loadErrors).toBe(1)
    await expect(cache.getOrLoad('a', () => 'loaded')).resolves.toBe('loaded')
  })

  it('rejects bad per-call options before loading anything', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 1000 })
    let calls = 0
    const loader = () => {
      calls++
      return 'v'
    }
    await expect(cache.getOrLoad('a', loader, { ttlMs: -1 })).rejects.toThrow(
      durationMessage('ttlMs', '-1'),
    )
    await expect(cache.getOrLoad('a', loader, { staleWhileRevalidateMs: -1 })).rejects.toThrow(
      /^staleWhileRevalidateMs/,
    )
    await expect(cache.getOrLoad('a', loader, { tags: 'items' as never })).rejects.toThrow(
      'tags must be an array of strings, got "items"',
    )
    await expect(cache.getOrLoad('a', loader, { signal: {} as never })).rejects.toThrow(
      'signal must be an AbortSignal, got an object',
    )
    await expect(cache.getOrLoad('a', 'not a function' as never)).rejects.toThrow(
      'loader must be a function, got "not a function"',
    )
    await expect(cache.getOrLoadWithStatus('a', loader, null as never)).rejects.toThrow(
      'getOrLoad() options must be an options object, got null',
    )
    expect(() => cache.set('a', 'v', { ttlMs: -5 })).toThrow(/^ttlMs .* got -5$/)
    expect(() => cache.invalidateTag(5 as never)).toThrow('tag must be a string, got 5')
    expect(calls).toBe(0)
    expect(cache.size).toBe(0)
  })

  it('rejects a negative TTL passed to setTtl by a loader', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 1000 })
    await expect(
      cache.getOrLoad('a', (context) => {
        context.setTtl(-1)
        return 'v'
      }),
    ).rejects.toThrow(durationMessage('setTtl(ttlMs)', '-1'))
  })
})

describe('a misspelled or unsupported option is never silently ignored', () => {
  it('refuses an lru-cache habit such as updateAgeOnGet, saying it is not supported', () => {
    const error = thrownBy(construct({ max: 10, ttlMs: 100, updateAgeOnGet: true }))
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'updateAgeOnGet' })
    const message = (error as Error).message
    expect(message).toMatch(/^Unknown option "updateAgeOnGet" in TtlCache options/)
    expect(message).toContain(
      '"updateAgeOnGet" is an lru-cache option that this cache does not support',
    )
    expect(message).toContain("reads never extend an entry's TTL")
    expect(message).toContain('known options: name, max, maxSize, sizeCalculation, ttlMs')
  })

  it('names the closest known option for a misspelling', () => {
    expect(construct({ max: 10, ttlMs: 100, staleWhileRevalidate: 50 })).toThrow(
      /^Unknown option "staleWhileRevalidate" in TtlCache options \(did you mean "staleWhileRevalidateMs"\?\)/,
    )
    expect(construct({ max: 10, ttlMs: 100, negativeTTLMs: 50 })).toThrow(
      /did you mean "negativeTtlMs"\?/,
    )
    const ttl = thrownBy(construct({ max: 10, ttl: 100 }))
    expect(ttl).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'ttl' })
    expect((ttl as Error).message).toMatch(/did you mean "ttlMs"\?.*lru-cache option/)
    expect(construct({ max: 10, ttlMs: 100, fetchMethod: () => 'v' })).toThrow(
      /pass the loader to getOrLoad\(\), or wrap the function with cached\(\)/,
    )
    expect(construct(10)).toThrow('TtlCache options must be an options object, got 10')
  })

  it('refuses unknown per-call options of getOrLoad, on a miss and on a hit alike, before loading', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    let calls = 0
    const loader = () => {
      calls++
      return 'loaded'
    }
    const miss = await rejectionOf(cache.getOrLoad('k', loader, { ttl: 5 } as never))
    expect(miss).toBeInstanceOf(TypeError)
    expect(miss).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'ttl' })
    expect((miss as Error).message).toMatch(
      /^Unknown option "ttl" in getOrLoad\(\) options \(did you mean "ttlMs"\?\)/,
    )
    cache.set('k', 'held')
    await expect(cache.getOrLoad('k', loader, { tag: ['x'] } as never)).rejects.toThrow(
      /did you mean "tags"\?/,
    )
    await expect(
      cache.getOrLoadWithStatus('k', loader, { forceRefresh: true } as never),
    ).rejects.toThrow(/lru-cache option that this cache does not support: delete\(\) the key/)
    expect(calls).toBe(0)
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0 })
  })

  it('refuses unknown options of set, and stores nothing', () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    expect(() => cache.set('k', 'v', { tag: ['x'] } as never)).toThrow(
      /^Unknown option "tag" in set\(\) options \(did you mean "tags"\?\)/,
    )
    expect(() => cache.set('k', 'v', { signal: AbortSignal.timeout(1) } as never)).toThrow(
      /^Unknown option "signal" in set\(\) options/,
    )
    expect(cache.size).toBe(0)
  })

  it('a frozen options bag is checked once and still applies on every call', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const options = Object.freeze({ tags: ['items'] })
    await cache.getOrLoad('a', () => 'a', options)
    await cache.getOrLoad('b', () => 'b', options)
    expect(cache.invalidateTag('items')).toBe(2)
    // A bag that can still change is checked on every call.
    const mutable: Record<string, unknown> = { tags: ['items'] }
    await cache.getOrLoad('c', () => 'c', mutable)
    mutable.ttl = 5
    await expect(cache.getOrLoad('c', () => 'c', mutable)).rejects.toThrow(/Unknown option "ttl"/)
  })

  it('refuses unknown options of cached() at once', () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 60_000 })
    const fetchName = async (id: number) => `name ${id}`
    const error = thrownBy(() =>
      cached(fetchName, { cache, key: (id: number) => `name:${id}`, ttl: 5 } as never),
    )
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'ttl' })
    expect((error as Error).message).toMatch(
      /^Unknown option "ttl" in cached\(\) options \(did you mean "ttlMs"\?\)/,
    )
    expect(() =>
      cached(fetchName, { cache, key: (id) => `name:${id}`, staleWhileRevalidateMs: -1 }),
    ).toThrow(/^staleWhileRevalidateMs must be/)
    expect(() =>
      cached(fetchName, { cache, key: (id) => `name:${id}`, tags: 'x' as never }),
    ).toThrow('tags must be an array of strings, got "x"')
  })
})

describe('durations are bounded by the longest timer delay', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('refuses a finite duration above 2,147,483,647 ms with a RangeError naming the maximum', () => {
    const tooLong = MAX_TIMEOUT_MS + 1
    for (const option of ['ttlMs', 'staleWhileRevalidateMs', 'negativeTtlMs', 'sweepIntervalMs']) {
      const error = thrownBy(construct({ max: 10, ttlMs: 1000, [option]: tooLong }))
      expect(error).toBeInstanceOf(RangeError)
      expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option })
      expect((error as Error).message).toMatch(
        new RegExp(
          `^${option} must be a number of milliseconds from 0 to 2147483647.* got 2147483648$`,
        ),
      )
    }
    expect(
      construct({ max: 10, ttlMs: MAX_TIMEOUT_MS, sweepIntervalMs: MAX_TIMEOUT_MS }),
    ).not.toThrow()
  })

  it('refuses them per call, in setTtl and in cached() too', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 1000 })
    const tooLong = 2 ** 31
    expect(() => cache.set('k', 'v', { ttlMs: tooLong })).toThrow(RangeError)
    await expect(
      cache.getOrLoad('k', () => 'v', { staleWhileRevalidateMs: tooLong }),
    ).rejects.toThrow(/from 0 to 2147483647/)
    await expect(
      cache.getOrLoad('k', (context) => {
        context.setTtl(tooLong)
        return 'v'
      }),
    ).rejects.toThrow(/^setTtl\(ttlMs\) must be .* got 2147483648$/)
    expect(() => cached(async () => 'v', { cache, key: () => 'k', ttlMs: tooLong })).toThrow(
      RangeError,
    )
  })

  it('takes Infinity where it means "never expires" or "no limit", and refuses it for negativeTtlMs', async () => {
    useFakeClock()
    const cache = new TtlCache<string, string>({
      max: 10,
      ttlMs: Number.POSITIVE_INFINITY,
      staleWhileRevalidateMs: Number.POSITIVE_INFINITY,
      sweepIntervalMs: Number.POSITIVE_INFINITY,
    })
    cache.set('forever', 'v')
    cache.set('stale forever', 'old', { ttlMs: 10 })
    vi.advanceTimersByTime(10 * MAX_TIMEOUT_MS)
    expect(cache.get('forever')).toBe('v')
    expect(await cache.getOrLoadWithStatus('stale forever', () => 'new')).toEqual({
      value: 'old',
      status: 'stale',
    })
    vi.advanceTimersByTime(1) // the clock forgets its last reading
    expect(vi.getTimerCount()).toBe(0) // no sweep timer
    expect(construct({ max: 10, ttlMs: 10, negativeTtlMs: Number.POSITIVE_INFINITY })).toThrow(
      'negativeTtlMs must be a number of milliseconds from 0 to 2147483647, got Infinity',
    )
  })

  it('the longest sweep interval does not fire at once (a longer timer delay would fire after 1 ms)', () => {
    useFakeClock()
    const cache = new TtlCache<string, number>({
      max: 10,
      ttlMs: 5,
      sweepIntervalMs: MAX_TIMEOUT_MS,
    })
    const swept: string[] = []
    cache.on('evict', ({ key }) => swept.push(key))
    cache.set('a', 1)
    vi.advanceTimersByTime(60_000)
    expect(swept).toEqual([])
    expect(cache.size).toBe(1)
    vi.advanceTimersByTime(MAX_TIMEOUT_MS)
    expect(swept).toEqual(['a'])
    cache.close()
  })

  it('the longest TTL keeps a value, and the default sweep leaves it alone', () => {
    useFakeClock()
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: MAX_TIMEOUT_MS })
    cache.set('a', 1)
    vi.advanceTimersByTime(10 * 60_000)
    expect(cache.size).toBe(1)
    expect(cache.get('a')).toBe(1)
    cache.close()
  })
})
