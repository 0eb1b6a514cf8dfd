import { MAX_TIMEOUT_MS } from '@loopwork/internal'
import { thrownBy } from '@loopwork/internal/test-support/thrown-by'
import { describe, expect, it } from 'vitest'
import { cached } from '../src/index.js'
import { countingThenable } from './counting-thenable.js'
import { eventually, redisTestBedPerTest } from './redis-fixtures.js'

describe('Redis tier: options, durations and loader results', () => {
  const bed = redisTestBedPerTest()

  it('refuses an unknown or misspelled option, naming it and the closest known one', () => {
    const error = thrownBy(() => bed.cache({ lockTTLms: 5_000 } as never))
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'lockTTLms' })
    expect((error as Error).message).toMatch(
      /^Unknown option "lockTTLms" in RedisTtlCache options \(did you mean "lockTtlMs"\?\)/,
    )
    expect(() => bed.cache({ updateAgeOnGet: true } as never)).toThrow(
      /"updateAgeOnGet" is an lru-cache option that this cache does not support/,
    )
  })

  it('refuses unknown per-call options before touching Redis or the loader', async () => {
    const cache = bed.cache<string>()
    let loads = 0
    const loader = () => {
      loads++
      return 'v'
    }
    await expect(cache.getOrLoad('k', loader, { ttl: 5 } as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'ttl',
      message: expect.stringMatching(/did you mean "ttlMs"\?/),
    })
    await expect(cache.getOrLoadWithStatus('k', loader, { tag: ['x'] } as never)).rejects.toThrow(
      /did you mean "tags"\?/,
    )
    await expect(cache.set('k', 'v', { signal: AbortSignal.abort() } as never)).rejects.toThrow(
      /^Unknown option "signal" in set\(\) options/,
    )
    expect(loads).toBe(0)
    expect(cache.stats()).toMatchObject({ misses: 0, hits: 0 })
    expect(await bed.client().exists(`${bed.prefix}value:k`)).toBe(0)
  })

  it('refuses every duration above 2,147,483,647 ms with a RangeError naming the maximum', () => {
    const durations = [
      'ttlMs',
      'memoryTtlMs',
      'operationTimeoutMs',
      'circuitBreakerResetMs',
      'lockTtlMs',
      'lockWaitMs',
      'lockPollMs',
      'versionRetentionMs',
      'staleWhileRevalidateMs',
      'negativeTtlMs',
      'sweepIntervalMs',
    ]
    for (const option of durations) {
      const error = thrownBy(() => bed.cache({ [option]: MAX_TIMEOUT_MS + 1 }))
      expect(error).toBeInstanceOf(RangeError)
      expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option })
      expect((error as Error).message).toMatch(
        new RegExp(`^${option} must be a number of milliseconds from [01] to 2147483647`),
      )
    }
  })

  it('takes Infinity only where it means "no limit": memoryTtlMs and the memory tier windows', () => {
    const infinity = Number.POSITIVE_INFINITY
    for (const option of ['ttlMs', 'operationTimeoutMs', 'lockTtlMs', 'lockWaitMs']) {
      expect(() => bed.cache({ [option]: infinity })).toThrow(RangeError)
    }
    expect(() =>
      bed.cache({
        memoryTtlMs: infinity,
        staleWhileRevalidateMs: infinity,
        sweepIntervalMs: infinity,
      }),
    ).not.toThrow()
  })

  it('the longest operationTimeoutMs does not time Redis calls out at once', async () => {
    const writer = bed.cache<string>({ operationTimeoutMs: MAX_TIMEOUT_MS })
    const reader = bed.cache<string>({ operationTimeoutMs: MAX_TIMEOUT_MS })
    expect(await writer.getOrLoad('k', () => 'stored in Redis')).toBe('stored in Redis')
    expect(await reader.getOrLoadWithStatus('k', () => 'not needed')).toEqual({
      value: 'stored in Redis',
      status: 'hit',
    })
    expect(writer.redisStats().redisErrors + reader.redisStats().redisErrors).toBe(0)
  })

  it("a loader's thenable has then() called exactly once, with Redis and without it", async () => {
    const cache = bed.cache<string>()
    const query = countingThenable('row')
    const results = await Promise.all([
      cache.getOrLoad('k', () => query),
      cache.getOrLoadWithStatus('k', () => query),
    ])
    expect(results).toEqual(['row', { value: 'row', status: 'miss' }])
    expect(query.runs).toBe(1)
    await eventually(async () =>
      expect(await bed.client().get(`${bed.prefix}value:k`)).toBe('\n"row"'),
    )

    const offline = bed.cache<string>({
      redis: await bed.deadClient(),
      subscriber: await bed.deadClient(),
      operationTimeoutMs: 50,
    })
    const offlineQuery = countingThenable('row')
    expect(await offline.getOrLoad('k', () => offlineQuery)).toBe('row')
    expect(offlineQuery.runs).toBe(1)
  })

  it('cached() over the Redis tier runs a thenable once per miss', async () => {
    const cache = bed.cache<string>()
    const queries: ReturnType<typeof countingThenable<string>>[] = []
    const getRow = cached(
      (id: number) => {
        const query = countingThenable(`row ${id}`)
        queries.push(query)
        return query
      },
      { cache, key: (id) => `row:${id}`, tags: ['rows'] },
    )
    expect(await Promise.all([getRow(1), getRow(1)])).toEqual(['row 1', 'row 1'])
    expect(await getRow(1)).toBe('row 1')
    expect(queries.map((query) => query.runs)).toEqual([1])
  })
})
