import { describe, expect, it } from 'vitest'
import { CircuitOpenError, type RedisErrorEvent, TimeoutError } from '../src/redis/index.js'
import { redisTestBedPerTest } from './redis-fixtures.js'

describe('Redis tier: an outage degrades to memory-only, never a failed request', () => {
  const bed = redisTestBedPerTest()

  it('with Redis unreachable, loads still answer, the memory tier still caches, and errors are reported', async () => {
    const redis = await bed.deadClient()
    const cache = bed.cache<string>({
      redis,
      subscriber: await bed.deadClient(),
      operationTimeoutMs: 200,
      circuitBreakerThreshold: 2,
      circuitBreakerResetMs: 60_000,
    })
    const reported: unknown[] = []
    const circuit: string[] = []
    cache.on('redisError', ({ error }) => reported.push(error))
    cache.on('circuit', ({ state }) => circuit.push(state))
    let loads = 0
    const loader = () => {
      loads++
      return 'from the source'
    }
    expect(await cache.getOrLoadWithStatus('k', loader)).toEqual({
      value: 'from the source',
      status: 'miss',
    })
    expect(await cache.getOrLoadWithStatus('k', loader)).toEqual({
      value: 'from the source',
      status: 'hit',
    })
    expect(loads).toBe(1)
    expect(reported.length).toBeGreaterThan(0)
    expect(cache.redisStats().redisErrors).toBe(reported.length)
    await cache.getOrLoad('other', () => 'also fine')
    expect(circuit).toEqual(['open'])
    expect(cache.redisStats().circuit).toBe('open')
    // While the circuit is open, calls are skipped without waiting for a timeout.
    const skipped = reported.length
    await expect(cache.getOrLoad('third', () => 'still fine')).resolves.toBe('still fine')
    expect(reported.length).toBe(skipped)
    await expect(cache.set('k', 'set locally')).resolves.toBeUndefined()
    expect(cache.memory.get('k')).toBe('set locally')
    await expect(cache.delete('k')).resolves.toBe(true)
    await expect(cache.invalidateTag('t')).resolves.toBeUndefined()
    await expect(cache.clear()).resolves.toBeUndefined()
    await expect(cache.get('missing')).resolves.toBeUndefined()
    await expect(cache.ready()).rejects.toBeInstanceOf(CircuitOpenError)
  })

  it('a Redis that never answers is cut off by the per-call timeout', async () => {
    const cache = bed.cache<string>({
      redis: await bed.silentClient(),
      subscriber: await bed.silentClient(),
      operationTimeoutMs: 100,
    })
    const reported: RedisErrorEvent[] = []
    cache.on('redisError', (event) => reported.push(event))
    expect(await cache.getOrLoad('k', () => 'answered')).toBe('answered')
    expect(reported[0]?.operation).toBe('read')
    expect(reported[0]?.error).toBeInstanceOf(TimeoutError)
    expect(reported[0]?.error).toMatchObject({
      name: 'TimeoutError',
      code: 'LOOPWORK_TIMEOUT',
      timeoutMs: 100,
      message:
        'cache "cache": Redis operation "read" did not answer within operationTimeoutMs (100 ms)',
    })
  })

  it('a connection lost mid-way degrades, and the circuit closes again once Redis answers', async () => {
    const redis = bed.client()
    const cache = bed.cache<string>({
      redis,
      circuitBreakerThreshold: 1,
      circuitBreakerResetMs: 50,
    })
    const circuit: string[] = []
    cache.on('circuit', ({ state }) => circuit.push(state))
    await cache.ready()
    expect(await cache.getOrLoad('before', () => 'stored in Redis')).toBe('stored in Redis')
    redis.disconnect()
    expect(await cache.getOrLoad('during', () => 'memory only')).toBe('memory only')
    expect(circuit).toEqual(['open'])
    expect(cache.memory.has('during')).toBe(true)
    await redis.connect()
    await new Promise((resolve) => setTimeout(resolve, 60)) // past circuitBreakerResetMs
    cache.memory.clear()
    let loads = 0
    expect(
      await cache.getOrLoad('before', () => {
        loads++
        return 'not needed'
      }),
    ).toBe('stored in Redis')
    expect(loads).toBe(0)
    expect(cache.redisStats().circuit).toBe('closed')
    expect(circuit.slice(-2)).toEqual(['half-open', 'closed'])
  })

  it('a failing loader still rejects (only Redis failures are absorbed)', async () => {
    const cache = bed.cache<string>({ redis: await bed.deadClient(), operationTimeoutMs: 100 })
    const failure = new Error('source down')
    await expect(cache.getOrLoad('k', () => Promise.reject(failure))).rejects.toBe(failure)
    expect(cache.stats()).toMatchObject({ loads: 1, loadErrors: 1 })
  })
})
