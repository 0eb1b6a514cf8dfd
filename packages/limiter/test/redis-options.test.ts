import { Redis } from 'ioredis'
import { beforeEach, describe, expect, it } from 'vitest'
import { RedisCapacityLimiter, type RedisCapacityLimiterOptions } from '../src/redis/index.js'
import { redisBedPerTest } from './fixtures/redis-bed.js'

describe('RedisCapacityLimiter options', () => {
  const bed = redisBedPerTest()
  let redis: Redis
  beforeEach(() => {
    redis = bed.client()
  })

  function create(options: Record<string, unknown>): () => RedisCapacityLimiter {
    return () => new RedisCapacityLimiter(options as unknown as RedisCapacityLimiterOptions)
  }

  /** A bag with `redis` and `name` filled in, then `changes` (`undefined` removes a key). */
  function bag(changes: Record<string, unknown>): Record<string, unknown> {
    const options: Record<string, unknown> = { redis, name: 'x', ...changes }
    for (const key of Object.keys(changes)) if (changes[key] === undefined) delete options[key]
    return options
  }

  it.each([
    [{ redis: undefined }, TypeError, 'redis', /ioredis client/],
    [{ redis: {} }, TypeError, 'redis', /ioredis client/],
    [{ name: undefined }, TypeError, 'name', /shared limit's name/],
    [{ name: '' }, TypeError, 'name', /non-empty/],
    [{ name: 'a{b}' }, TypeError, 'name', /without \{ or \}/],
    [{ totalTokens: 0 }, RangeError, 'totalTokens', /integer from 1/],
    [{ totalTokens: Number.POSITIVE_INFINITY }, RangeError, 'totalTokens', /integer from 1/],
    [{ maxWaiting: -1 }, RangeError, 'maxWaiting', /integer from 0/],
    [{ leaseMs: 10 }, RangeError, 'leaseMs', /from 30 to 2147483647/],
    [{ leaseMs: 2 ** 31 }, RangeError, 'leaseMs', /2147483647/],
    [{ commandTimeoutMs: 0 }, RangeError, 'commandTimeoutMs', /from 1/],
    [{ onOutage: 'open' }, TypeError, 'onOutage', /"failClosed", "failOpen"/],
    [{ onOutage: 'failOpen' }, TypeError, 'fallbackTokens', /required with onOutage/],
    [{ keyPrefix: 1 }, TypeError, 'keyPrefix', /a string/],
    [{ leaseMS: 100 }, TypeError, 'leaseMS', /did you mean "leaseMs"/],
  ])('refuses %o, naming the option', (changes, type, option, message) => {
    let thrown: unknown
    try {
      create(bag(changes))()
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(type)
    expect(thrown).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option })
    expect((thrown as Error).message).toMatch(message)
  })

  it('refuses a missing options bag and a client with its own keyPrefix', () => {
    expect(create(undefined as never)).toThrow(TypeError)
    const prefixed = new Redis({ lazyConnect: true, keyPrefix: 'app:' })
    expect(create({ redis: prefixed, name: 'x' })).toThrow(/pass keyPrefix to RedisCapacityLimiter/)
    prefixed.disconnect()
  })

  it('checks per-call options and the setters', async () => {
    const limiter = bed.limiter()
    await expect(limiter.acquire({ timeoutMS: 5 } as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'timeoutMS',
    })
    await expect(limiter.acquire({ timeoutMs: -1 })).rejects.toBeInstanceOf(RangeError)
    await expect(limiter.acquire({ signal: 'no' as never })).rejects.toBeInstanceOf(TypeError)
    await expect(limiter.run('no' as never)).rejects.toMatchObject({ option: 'run() fn' })
    expect(() => limiter.wrap(() => 1, { timeoutMs: Number.NaN })).toThrow(RangeError)
    expect(() => {
      limiter.maxWaiting = -1
    }).toThrow(RangeError)
    await expect(limiter.setTotalTokens(1.5)).rejects.toBeInstanceOf(RangeError)
    // Nothing was sent for a refused call.
    expect(limiter.stats()).toMatchObject({ acquired: 0, localWaiting: 0 })
  })
})
