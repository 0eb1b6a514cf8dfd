import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it, vi } from 'vitest'
import type { CapacityLimiterStats } from '../src/index.js'
import {
  AbortError,
  QueueFullError,
  type RedisCapacityLimiterStats,
  type RedisLease,
  TimeoutError,
} from '../src/redis/index.js'
import { eventually, redisBedPerTest, sleep } from './fixtures/redis-bed.js'

describe('RedisCapacityLimiter in one process', () => {
  const bed = redisBedPerTest()

  it('acquire, release, run and wrap share one limit across instances', async () => {
    const a = bed.limiter({ totalTokens: 2 })
    const b = bed.limiter({ totalTokens: 2 })
    const first = await a.acquire()
    const second = await b.acquire()
    await expect(b.acquire({ timeoutMs: 0 })).rejects.toBeInstanceOf(TimeoutError)
    expect(await first.release()).toBe(true)
    expect(await first.release()).toBe(false)
    expect(await b.run(() => 'ran')).toBe('ran')
    const double = a.wrap(async (value: number) => value * 2)
    expect(await double(21)).toBe(42)
    await second.release()
    expect(await a.refreshStats()).toMatchObject({ borrowedTokens: 0, waiting: 0 })
  })

  it('one limiter object with many concurrent acquires never lets more than N run', async () => {
    const limiter = bed.limiter({ totalTokens: 3 })
    const counter = bed.client()
    const key = `${bed.prefix}inside`
    let inside = 0
    let most = 0
    let mostInRedis = 0
    await Promise.all(
      Array.from({ length: 60 }, () =>
        limiter.run(async () => {
          inside++
          most = Math.max(most, inside)
          mostInRedis = Math.max(mostInRedis, await counter.incr(key))
          await sleep(2)
          await counter.decr(key)
          inside--
        }),
      ),
    )
    expect(most).toBe(3)
    expect(mostInRedis).toBe(3)
    expect(limiter.stats()).toMatchObject({ acquired: 60, running: 0 })
  })

  it('run starts fn after it returns, in the caller context, passes the outcome on and always gives the token back', async () => {
    const limiter = bed.limiter({ totalTokens: 1 })
    const context = new AsyncLocalStorage<string>()
    const order: string[] = []
    const result = context.run('request-1', () =>
      limiter.run((lease) => {
        order.push(`fn:${context.getStore()}:${lease.held}`)
        return 'value'
      }),
    )
    order.push('returned')
    expect(await result).toBe('value')
    expect(order).toEqual(['returned', 'fn:request-1:true'])
    await expect(
      limiter.run(() => {
        throw new Error('thrown')
      }),
    ).rejects.toThrow('thrown')
    await expect(limiter.run(() => Promise.reject(new Error('rejected')))).rejects.toThrow(
      'rejected',
    )
    let thens = 0
    // Typed as what a task returns; its then() returns nothing, like a lazy query builder's.
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a lazy query builder's shape
      then(resolve: (value: string) => void) {
        thens++
        resolve('adopted')
      },
    } as unknown as PromiseLike<string>
    expect(await limiter.run(() => thenable)).toBe('adopted')
    expect(thens).toBe(1)
    // Every token came back: the only token is free.
    const lease = await limiter.acquire({ timeoutMs: 0 })
    await lease.release()
  })

  it('hands tokens over in FIFO order across instances, with increasing grant numbers, and never lets a newcomer barge', async () => {
    const a = bed.limiter({ totalTokens: 1 })
    const b = bed.limiter()
    const c = bed.limiter()
    const held = await a.acquire()
    const granted: string[] = []
    const tokens: number[] = []
    const waiters: Promise<void>[] = []
    for (const [tag, instance] of [
      ['b1', b],
      ['c1', c],
      ['a1', a],
      ['b2', b],
    ] as const) {
      waiters.push(
        instance.acquire().then(async (lease) => {
          granted.push(tag)
          tokens.push(lease.token)
          await lease.release()
        }),
      )
      await eventually(async () => expect((await a.refreshStats()).waiting).toBe(waiters.length))
    }
    await held.release()
    // A newcomer right after the release queues behind the four.
    const late = c.acquire().then(async (lease) => {
      granted.push('late')
      await lease.release()
    })
    await Promise.all([...waiters, late])
    expect(granted).toEqual(['b1', 'c1', 'a1', 'b2', 'late'])
    expect(tokens).toEqual([...tokens].sort((x, y) => x - y))
    expect(tokens[0]).toBeGreaterThan(held.token)
  })

  it('stats() has the fields of CapacityLimiter.stats(), cluster-wide where it matters', async () => {
    const a = bed.limiter({ totalTokens: 2 })
    const b = bed.limiter({ totalTokens: 2, maxWaiting: 7 })
    const one = await a.acquire()
    const two = await a.acquire()
    const waiting = b.acquire()
    await eventually(() => expect(b.stats().waiting).toBe(1))
    const stats: RedisCapacityLimiterStats = b.stats()
    const asLocal: CapacityLimiterStats = stats
    expect(asLocal).toEqual({
      name: 'shared',
      running: 0,
      waiting: 1,
      totalTokens: 2,
      borrowedTokens: 2,
      availableTokens: 0,
      maxWaiting: 7,
      acquired: 0,
      rejected: 0,
      timedOut: 0,
      aborted: 0,
      localWaiting: 1,
      outage: false,
      outages: 0,
      unavailable: 0,
      leasesLost: 0,
      fallbackRunning: 0,
      fallbackTokens: 0,
    })
    expect([b.totalTokens, b.borrowedTokens, b.availableTokens, b.waiting]).toEqual([2, 2, 0, 1])
    expect((await a.refreshStats()).running).toBe(2)
    await one.release()
    await (await waiting).release()
    await two.release()
    expect(await b.refreshStats()).toMatchObject({ borrowedTokens: 0, acquired: 1, running: 0 })
  })

  it('events carry one object: acquire and release with the lease, wait, reject with a reason', async () => {
    const limiter = bed.limiter({ totalTokens: 1, maxWaiting: 1 })
    const events: string[] = []
    limiter.on('acquire', ({ lease, stats }) =>
      events.push(`acquire:${lease.held}:${stats.running}`),
    )
    limiter.on('release', ({ lease, stats }) =>
      events.push(`release:${lease.held}:${stats.running}`),
    )
    limiter.on('wait', ({ stats }) => events.push(`wait:${stats.localWaiting}`))
    limiter.on('reject', ({ reason, stats }) => events.push(`reject:${reason}:${stats.rejected}`))
    const lease = await limiter.acquire()
    const controller = new AbortController()
    const aborted = limiter.acquire({ signal: controller.signal })
    await eventually(() => expect(events).toContain('wait:1'))
    await expect(limiter.acquire()).rejects.toBeInstanceOf(QueueFullError)
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    await lease.release()
    expect(events).toEqual([
      'acquire:true:1',
      'wait:1',
      'reject:queueFull:1',
      'reject:abort:1',
      'release:false:0',
    ])
  })

  it('maxWaiting bounds the waiters of this instance with a QueueFullError; 0 means never wait', async () => {
    const limiter = bed.limiter({ totalTokens: 1, maxWaiting: 2 })
    const lease = await limiter.acquire()
    const first = limiter.acquire()
    const second = limiter.acquire()
    const refused = await limiter.acquire().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(QueueFullError)
    expect(refused).toMatchObject({ code: 'LOOPWORK_QUEUE_FULL', option: 'maxWaiting', limit: 2 })
    limiter.maxWaiting = 0
    await expect(limiter.acquire()).rejects.toBeInstanceOf(QueueFullError)
    await lease.release()
    await (await first).release()
    await (await second).release()
    // With nothing borrowed, maxWaiting 0 still hands out a free token.
    await (await limiter.acquire()).release()
    expect(limiter.stats().rejected).toBe(2)
  })

  it('a waiter that times out or aborts leaves the Redis queue, and the next waiter is served', async () => {
    const a = bed.limiter({ totalTokens: 1 })
    const b = bed.limiter()
    const lease = await a.acquire()
    const controller = new AbortController()
    const aborted = b.acquire({ signal: controller.signal })
    const timedOut = b.acquire({ timeoutMs: 100 })
    const patient = a.acquire()
    await eventually(async () => expect((await a.refreshStats()).waiting).toBe(3))
    controller.abort(new Error('client left'))
    const abortError = await aborted.catch((error: unknown) => error)
    expect(abortError).toBeInstanceOf(AbortError)
    expect((abortError as AbortError).cause).toEqual(new Error('client left'))
    await expect(timedOut).rejects.toMatchObject({ code: 'LOOPWORK_TIMEOUT', timeoutMs: 100 })
    await eventually(async () => expect((await a.refreshStats()).waiting).toBe(1))
    await lease.release()
    await (await patient).release()
    expect(b.stats()).toMatchObject({ aborted: 1, timedOut: 1 })
  })

  it('an already aborted signal rejects at once and sends nothing', async () => {
    const limiter = bed.limiter()
    const redis = bed.client()
    const spy = vi.spyOn(redis, 'evalsha')
    const idle = bed.limiter({ redis })
    await expect(idle.acquire({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    expect(spy).not.toHaveBeenCalled()
    expect(idle.stats().aborted).toBe(1)
    await (await limiter.acquire()).release()
  })

  it('a grant that races the cancel of its waiter passes on to the next waiter', async () => {
    const a = bed.limiter({ totalTokens: 1 })
    const b = bed.limiter()
    for (let round = 0; round < 20; round++) {
      const lease = await a.acquire()
      const controller = new AbortController()
      const racing = b.acquire({ signal: controller.signal }).catch(() => undefined)
      const next = a.acquire()
      await eventually(async () => expect((await a.refreshStats()).waiting).toBe(2))
      // The release hands the token to the racing waiter while its abort is under way.
      void lease.release()
      controller.abort()
      const won = await racing
      await won?.release()
      await (await next).release()
    }
    expect(await a.refreshStats()).toMatchObject({ borrowedTokens: 0, waiting: 0 })
  })

  it('totalTokens set on one instance applies to every instance', async () => {
    const a = bed.limiter({ totalTokens: 1 })
    const b = bed.limiter({ totalTokens: 1 })
    const held = await a.acquire()
    const waiting = b.acquire()
    await eventually(() => expect(b.stats().localWaiting).toBe(1))
    a.totalTokens = 2
    const served = await waiting
    expect(b.totalTokens).toBe(2)
    await served.release()
    await held.release()
    expect(() => {
      a.totalTokens = 0
    }).toThrow(RangeError)
  })

  it('a different totalTokens at construction keeps the stored limit and warns', async () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const first = bed.limiter({ totalTokens: 3 })
    await (await first.acquire()).release()
    const second = bed.limiter({ totalTokens: 5 })
    await (await second.acquire()).release()
    expect(second.totalTokens).toBe(3)
    expect(warning).toHaveBeenCalledTimes(1)
    expect(warning.mock.calls[0]![1]).toMatchObject({ code: 'LOOPWORK_LIMIT_MISMATCH' })
  })

  it('tryAcquire answers undefined while Redis is healthy; acquire({ timeoutMs: 0 }) asks Redis once', async () => {
    const limiter = bed.limiter({ totalTokens: 1 })
    expect(limiter.tryAcquire()).toBeUndefined()
    const lease = await limiter.acquire({ timeoutMs: 0 })
    await expect(limiter.acquire({ timeoutMs: 0 })).rejects.toMatchObject({ timeoutMs: 0 })
    // It never queued.
    expect((await limiter.refreshStats()).waiting).toBe(0)
    await lease.release()
  })

  it('a hand-over whose push never arrives is found by the renewal call', async () => {
    const a = bed.limiter({ totalTokens: 1 })
    // This instance's hand-over connection points at a port nobody listens on.
    const redis = bed.client()
    const dead = bed.client()
    dead.disconnect()
    vi.spyOn(redis, 'duplicate').mockReturnValue(dead)
    const b = bed.limiter({ redis, leaseMs: 1_500 })
    const held = await a.acquire()
    let lease: RedisLease | undefined
    const waiting = b.acquire().then((granted) => {
      lease = granted
    })
    await eventually(async () => expect((await a.refreshStats()).waiting).toBe(1))
    await held.release()
    await waiting
    expect(lease!.held).toBe(true)
    await lease!.release()
  })

  it('keeps every key in one hash slot and leaves only the config behind', async () => {
    const a = bed.limiter({ totalTokens: 1 })
    const b = bed.limiter()
    const lease = await a.acquire()
    const waiting = b.acquire()
    await eventually(async () => expect((await a.refreshStats()).waiting).toBe(1))
    const keys = await bed.keys()
    expect(keys.length).toBeGreaterThanOrEqual(4)
    for (const key of keys) expect(key.match(/\{[^}]*\}/)?.[0]).toBe('{shared}')
    await lease.release()
    await (await waiting).release()
    await eventually(async () => expect(await bed.keys()).toEqual([bed.key('config')]))
  })

  it('hands a token to a waiter of the same instance in the release reply, without a push', async () => {
    const limiter = bed.limiter({ totalTokens: 1, leaseMs: 60_000 })
    const lease = await limiter.acquire()
    const waiting = limiter.acquire()
    await eventually(() => expect(limiter.stats().waiting).toBe(1))
    const instance = lease.id.split(':')[0]!
    const redis = bed.client()
    await lease.release()
    const served = await Promise.race([waiting, sleep(2_000).then(() => undefined)])
    expect(served?.token).toBeGreaterThan(lease.token)
    expect(await redis.exists(bed.key(`grants:${instance}`))).toBe(0)
    await served!.release()
  })
})
