import { describe, expect, it } from 'vitest'
import { InvalidCacheValueError, TtlCache } from '../src/index.js'
import { rejectionOf } from './deferred.js'

function construct(options: unknown): () => TtlCache<string, string> {
  return () => new TtlCache<string, string>(options as never)
}

function thrownBy(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('bad input gets a clear error', () => {
  it('rejects a non-positive max when there is no maxSize, naming the option and the value', () => {
    const error = thrownBy(construct({ max: 0, ttlMs: 1000 }))
    expect(error).toBeInstanceOf(RangeError)
    expect((error as Error).message).toBe(
      'max must be a positive integer (or give maxSize with sizeCalculation), got 0',
    )
    expect(construct({ max: -5, ttlMs: 1000 })).toThrow(/max must be a positive integer.*got -5/)
    expect(construct({ max: 1.5, ttlMs: 1000 })).toThrow(/max must be a positive integer, got 1.5/)
    expect(construct({ max: '10', ttlMs: 1000 })).toThrow(TypeError)
  })

  it('requires a memory bound', () => {
    expect(construct({ ttlMs: 1000 })).toThrow(
      'TtlCache needs a memory bound: give max (a positive integer) and/or maxSize with sizeCalculation',
    )
  })

  it('requires sizeCalculation with maxSize, and maxSize with sizeCalculation', () => {
    expect(construct({ maxSize: 100, ttlMs: 1000 })).toThrow(
      'sizeCalculation must be a function when maxSize is set, got undefined',
    )
    expect(construct({ max: 10, sizeCalculation: () => 1, ttlMs: 1000 })).toThrow(
      'sizeCalculation is only used with maxSize; give maxSize too',
    )
    expect(construct({ maxSize: 0, sizeCalculation: () => 1, ttlMs: 1000 })).toThrow(
      'maxSize must be a positive integer, got 0',
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
      message: 'ttlMs must be a number of milliseconds >= 0 or Infinity, got undefined',
      code: 'ERR_INVALID_ARG_TYPE',
    })
    const negative = thrownBy(construct({ max: 10, ttlMs: -1 }))
    expect(negative).toBeInstanceOf(RangeError)
    expect(negative).toMatchObject({
      message: 'ttlMs must be a number of milliseconds >= 0 or Infinity, got -1',
      code: 'ERR_OUT_OF_RANGE',
    })
    expect(construct({ max: 10, ttlMs: Number.NaN })).toThrow(/ttlMs .* got NaN/)
    expect(construct({ max: 10, ttlMs: 10, staleWhileRevalidateMs: -1 })).toThrow(
      /^staleWhileRevalidateMs must be a number of milliseconds >= 0 or Infinity, got -1$/,
    )
    expect(construct({ max: 10, ttlMs: 10, negativeTtlMs: -0.5 })).toThrow(
      /^negativeTtlMs must be .* got -0.5$/,
    )
    expect(construct({ max: 10, ttlMs: 10, sweepIntervalMs: -1 })).toThrow(/^sweepIntervalMs/)
    expect(construct({ max: 10, ttlMs: Number.POSITIVE_INFINITY })).not.toThrow()
  })

  it('rejects undefined as a value in set, and stores nothing', () => {
    const cache = new TtlCache<string, string | null>({ max: 10, ttlMs: 1000 })
    cache.set('a', 'kept')
    expect(() => cache.set('a', undefined as never)).toThrow(InvalidCacheValueError)
    expect(() => cache.set('a', undefined as never)).toThrow(
      'set() was called with undefined for key "a"; a cached value must not be undefined (use null for "absent")',
    )
    expect(cache.get('a')).toBe('kept')
    cache.set('b', null)
    expect(cache.get('b')).toBeNull()
  })

  it('rejects a loader that resolves to undefined, caches nothing and counts a load error', async () => {
    const cache = new TtlCache<string, string>({ max: 10, ttlMs: 1000 })
    const error = await rejectionOf(cache.getOrLoad('a', async () => undefined as never))
    expect(error).toBeInstanceOf(InvalidCacheValueError)
    expect((error as InvalidCacheValueError).code).toBe('LOOPWORK_TTL_CACHE_INVALID_VALUE')
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
      'options.ttlMs must be a number of milliseconds >= 0 or Infinity, got -1',
    )
    await expect(cache.getOrLoad('a', loader, { staleWhileRevalidateMs: -1 })).rejects.toThrow(
      /^options.staleWhileRevalidateMs/,
    )
    await expect(cache.getOrLoad('a', loader, { tags: 'items' as never })).rejects.toThrow(
      'options.tags must be an array of strings, got "items"',
    )
    await expect(cache.getOrLoad('a', loader, { signal: {} as never })).rejects.toThrow(
      'options.signal must be an AbortSignal, got [object Object]',
    )
    await expect(cache.getOrLoad('a', 'not a function' as never)).rejects.toThrow(
      'loader must be a function, got "not a function"',
    )
    expect(() => cache.set('a', 'v', { ttlMs: -5 })).toThrow(/^options.ttlMs .* got -5$/)
    expect(() => cache.invalidateTag(5 as never)).toThrow('tag must be a string, got number')
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
    ).rejects.toThrow('setTtl(ttlMs) must be a number of milliseconds >= 0 or Infinity, got -1')
  })
})
