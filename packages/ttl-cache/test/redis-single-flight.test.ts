import { describe, expect, it } from 'vitest'
import { deferred } from './deferred.js'
import { eventually, redisTestBedPerTest } from './redis-fixtures.js'

describe('Redis tier: one load across instances', () => {
  const bed = redisTestBedPerTest()

  it('two instances missing one key at once run one load; the other waits and reads it from Redis', async () => {
    const first = bed.cache<string>({ lockPollMs: 5 })
    const second = bed.cache<string>({ lockPollMs: 5 })
    const gate = deferred<string>()
    let loads = 0
    const loader = () => {
      loads++
      return gate.promise
    }
    const fromFirst = Array.from({ length: 20 }, () => first.getOrLoad('k', loader))
    const fromSecond = Array.from({ length: 20 }, () => second.getOrLoad('k', loader))
    // Both instances reach Redis: one takes the lock, the other waits for it.
    await eventually(() =>
      expect(first.redisStats().lockWaits + second.redisStats().lockWaits).toBe(1),
    )
    gate.resolve('loaded once')
    const values = await Promise.all([...fromFirst, ...fromSecond])
    expect(new Set(values)).toEqual(new Set(['loaded once']))
    expect(loads).toBe(1)
    const waits = first.redisStats().lockWaits + second.redisStats().lockWaits
    expect(waits).toBe(1)
    expect(await bed.client().exists(`${bed.prefix}lock:k`)).toBe(0)
  })

  it('a dead lock holder blocks nobody for longer than its lock lives', async () => {
    const admin = bed.client()
    await admin.set(`${bed.prefix}lock:k`, 'a crashed instance', 'PX', 150)
    const cache = bed.cache<string>({ lockPollMs: 10, lockWaitMs: 10_000 })
    let loads = 0
    const value = await cache.getOrLoad('k', () => {
      loads++
      return 'loaded after the lock expired'
    })
    expect(value).toBe('loaded after the lock expired')
    expect(loads).toBe(1)
    expect(cache.redisStats()).toMatchObject({ lockWaits: 1, lockFallbacks: 0 })
    expect(await admin.get(`${bed.prefix}value:k`)).toBe('\n"loaded after the lock expired"')
  })

  it('gives up waiting after lockWaitMs and loads by itself', async () => {
    const admin = bed.client()
    await admin.set(`${bed.prefix}lock:k`, 'a stuck instance', 'PX', 60_000)
    const cache = bed.cache<string>({ lockPollMs: 10, lockWaitMs: 100 })
    const value = await cache.getOrLoad('k', () => 'fallback load')
    expect(value).toBe('fallback load')
    expect(cache.redisStats()).toMatchObject({ lockWaits: 1, lockFallbacks: 1 })
    // The fallback still writes back (the version check applies), and leaves the other lock alone.
    expect(await admin.get(`${bed.prefix}value:k`)).toBe('\n"fallback load"')
    expect(await admin.get(`${bed.prefix}lock:k`)).toBe('a stuck instance')
  })

  it('when the lock holder fails, a waiting instance takes over the load', async () => {
    const first = bed.cache<string>({ lockPollMs: 5 })
    const second = bed.cache<string>({ lockPollMs: 5 })
    const failing = deferred<string>()
    const failure = new Error('first instance failed')
    let firstLoads = 0
    const fromFirst = first.getOrLoad('k', () => {
      firstLoads++
      return failing.promise
    })
    await eventually(() => expect(firstLoads).toBe(1))
    let secondLoads = 0
    const fromSecond = second.getOrLoad('k', () => {
      secondLoads++
      return 'second instance loaded'
    })
    await eventually(() => expect(second.redisStats().lockWaits).toBe(1))
    expect(secondLoads).toBe(0)
    failing.reject(failure)
    await expect(fromFirst).rejects.toBe(failure)
    expect(await fromSecond).toBe('second instance loaded')
    expect(secondLoads).toBe(1)
    expect(first.stats()).toMatchObject({ loads: 1, loadErrors: 1 })
  })

  it('a status of a value another instance loaded while this one waited is miss', async () => {
    const first = bed.cache<string>({ lockPollMs: 5 })
    const second = bed.cache<string>({ lockPollMs: 5 })
    const gate = deferred<string>()
    let loads = 0
    const loading = first.getOrLoadWithStatus('k', () => {
      loads++
      return gate.promise
    })
    await eventually(() => expect(loads).toBe(1))
    const waiting = second.getOrLoadWithStatus('k', () => 'unused')
    await eventually(() => expect(second.redisStats().lockWaits).toBe(1))
    gate.resolve('v')
    expect(await loading).toEqual({ value: 'v', status: 'miss' })
    expect(await waiting).toEqual({ value: 'v', status: 'miss' })
  })
})
