import { PrivateRedisServer } from '@loopwork/internal/test-support/redis-server'
import { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  LeaseLostError,
  RedisCapacityLimiter,
  type RedisCapacityLimiterOptions,
  type RedisLease,
  RedisUnavailableError,
} from '../src/redis/index.js'
import { eventually, sleep } from './fixtures/redis-bed.js'

describe('RedisCapacityLimiter when Redis goes away', () => {
  let server: PrivateRedisServer
  let clients: Redis[]
  let limiters: RedisCapacityLimiter[]
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)

  beforeEach(async () => {
    server = await PrivateRedisServer.start()
    clients = []
    limiters = []
    unhandled.length = 0
    process.on('unhandledRejection', onUnhandled)
  })
  afterEach(async () => {
    await Promise.all(limiters.map((limiter) => limiter.close()))
    for (const client of clients) client.disconnect()
    await server.stop()
    process.off('unhandledRejection', onUnhandled)
  })

  /** A client with ioredis' defaults (offline queue, 20 retries): only the limiter bounds calls. */
  function client(): Redis {
    const redis = new Redis({ host: '127.0.0.1', port: server.port })
    redis.on('error', () => {})
    clients.push(redis)
    return redis
  }

  function limiter(options: Partial<RedisCapacityLimiterOptions>): RedisCapacityLimiter {
    const created = new RedisCapacityLimiter({
      redis: client(),
      name: 'outage',
      commandTimeoutMs: 300,
      leaseMs: 1_500,
      ...options,
    })
    limiters.push(created)
    return created
  }

  function record(target: RedisCapacityLimiter): string[] {
    const events: string[] = []
    target.on('outage', ({ error, onOutage }) =>
      events.push(`outage:${onOutage}:${(error as Error).name}`),
    )
    target.on('recover', () => events.push('recover'))
    target.on('leaseLost', ({ reason }) => events.push(`leaseLost:${reason}`))
    return events
  }

  it('failClosed: refuses within commandTimeoutMs, loses unrenewable leases on time, and recovers by itself', async () => {
    const closed = limiter({ totalTokens: 1, onOutage: 'failClosed' })
    const events = record(closed)
    const lease = await closed.acquire()
    const queued = closed.acquire()
    await eventually(() => expect(closed.stats().waiting).toBe(1))

    await server.stop()
    const startedAt = performance.now()
    const refused = await closed.acquire().catch((error: unknown) => error)
    // Bounded by commandTimeoutMs (plus scheduling), not by ioredis' reconnect attempts.
    expect(performance.now() - startedAt).toBeLessThan(3_000)
    expect(refused).toBeInstanceOf(RedisUnavailableError)
    expect(refused).toMatchObject({ code: 'LOOPWORK_REDIS_UNAVAILABLE' })
    await expect(queued).rejects.toBeInstanceOf(RedisUnavailableError)
    // Later calls are refused at once, without another timeout.
    const again = performance.now()
    await expect(closed.acquire()).rejects.toBeInstanceOf(RedisUnavailableError)
    expect(performance.now() - again).toBeLessThan(100)
    expect(closed.stats()).toMatchObject({ outage: true, outages: 1, unavailable: 3 })

    // The held lease cannot be renewed: its signal aborts once the lease may have run out.
    await eventually(() => expect(lease.signal.aborted).toBe(true), 5_000)
    expect(lease.signal.reason).toBeInstanceOf(LeaseLostError)
    expect(lease.held).toBe(false)
    expect(await lease.release()).toBe(false)

    await server.start()
    await eventually(() => expect(closed.stats().outage).toBe(false), 10_000)
    expect(events).toEqual(['outage:failClosed:TimeoutError', 'leaseLost:unrenewed', 'recover'])
    const after = await closed.acquire()
    expect(after.token).toBeGreaterThan(0)
    expect(await after.release()).toBe(true)
    expect(unhandled).toEqual([])
  }, 30_000)

  it('failOpen: admits at most fallbackTokens locally, then counts the leases still running in Redis once it is back', async () => {
    const open = limiter({ totalTokens: 5, onOutage: 'failOpen', fallbackTokens: 2 })
    const events = record(open)
    await (await open.acquire()).release()

    await server.stop()
    const first = await open.acquire()
    const second = await open.acquire()
    expect([first.fromFallback, second.fromFallback]).toEqual([true, true])
    expect(first.token).toBe(0)
    let thirdLease: RedisLease | undefined
    const third = open.acquire().then((lease) => {
      thirdLease = lease
      return lease
    })
    expect(open.tryAcquire()).toBeUndefined()
    await sleep(100)
    expect(thirdLease).toBeUndefined()
    expect(open.stats()).toMatchObject({
      outage: true,
      running: 2,
      fallbackRunning: 2,
      localWaiting: 1,
    })
    await first.release()
    expect((await third).fromFallback).toBe(true)
    // One more waits in the fallback queue when Redis comes back.
    const fourth = open.acquire()

    await server.start()
    await eventually(() => expect(open.stats().outage).toBe(false), 10_000)
    const redis = client()
    // The two fallback leases still running are counted in Redis now, and the waiter queued there
    // got a token from Redis.
    const served = await fourth
    expect(served.fromFallback).toBe(false)
    expect(served.token).toBeGreaterThan(0)
    expect(await redis.zcard('loopwork:limiter:{outage}:holders')).toBe(3)
    expect(open.stats()).toMatchObject({ running: 3, fallbackRunning: 0, borrowedTokens: 3 })
    expect(await second.release()).toBe(true)
    expect(await thirdLease!.release()).toBe(true)
    expect(await served.release()).toBe(true)
    expect(await redis.zcard('loopwork:limiter:{outage}:holders')).toBe(0)
    expect(events).toEqual(['outage:failOpen:TimeoutError', 'recover'])
    expect(unhandled).toEqual([])
  }, 30_000)

  it('a call that Redis runs after it timed out leaves no ghost holder, and a paused Redis loses the lease it could not renew', async () => {
    const paused = limiter({ totalTokens: 2, onOutage: 'failClosed', commandTimeoutMs: 200 })
    const events = record(paused)
    const lease = await paused.acquire()
    const admin = client()
    // Every command waits for 2 s, longer than the lease's remaining time and the call timeout.
    await admin.client('PAUSE', 2_000, 'ALL')
    await expect(paused.acquire()).rejects.toBeInstanceOf(RedisUnavailableError)
    await eventually(() => expect(lease.signal.aborted).toBe(true), 5_000)
    await eventually(() => expect(paused.stats().outage).toBe(false), 10_000)
    // The timed-out acquire ran when the pause ended; its id was given back, and the lost lease
    // was not renewed back into life.
    await eventually(
      async () => expect(await admin.zcard('loopwork:limiter:{outage}:holders')).toBe(0),
      5_000,
    )
    await sleep(600)
    expect(await admin.zcard('loopwork:limiter:{outage}:holders')).toBe(0)
    expect(events).toEqual(['outage:failClosed:TimeoutError', 'leaseLost:unrenewed', 'recover'])
    expect(unhandled).toEqual([])
  }, 30_000)

  it('a process that stalls past its lease loses it, and the token is not brought back', async () => {
    const stalled = limiter({ totalTokens: 1, leaseMs: 300 })
    const other = limiter({ totalTokens: 1, leaseMs: 10_000 })
    const events = record(stalled)
    const lease = await stalled.acquire()
    // The event loop is blocked longer than the lease: no renewal can go out.
    const until = performance.now() + 700
    while (performance.now() < until) {}
    await eventually(() => expect(lease.signal.aborted).toBe(true), 2_000)
    expect(events).toContain('leaseLost:unrenewed')
    const next = await other.acquire({ timeoutMs: 5_000 })
    expect(next.token).toBeGreaterThan(lease.token)
    await sleep(400)
    const admin = client()
    expect(await admin.zscore('loopwork:limiter:{outage}:holders', lease.id)).toBeNull()
    expect(await lease.release()).toBe(false)
    expect(unhandled).toEqual([])
  }, 30_000)

  it('wakes waiters by push on a Redis without BLMPOP (before 7.0), with BLPOP', async () => {
    const old = await PrivateRedisServer.start(['--rename-command', 'BLMPOP', ''])
    try {
      const connect = () => {
        const redis = new Redis({ host: '127.0.0.1', port: old.port })
        clients.push(redis)
        return redis
      }
      const holder = new RedisCapacityLimiter({ redis: connect(), name: 'old', totalTokens: 1 })
      const waiter = new RedisCapacityLimiter({ redis: connect(), name: 'old', leaseMs: 60_000 })
      limiters.push(holder, waiter)
      for (let round = 0; round < 3; round++) {
        const lease = await holder.acquire()
        const waiting = waiter.acquire()
        await eventually(() => expect(waiter.stats().waiting).toBe(1))
        await lease.release()
        // Renewals come every 20 s with this lease: only the push can wake it this soon.
        const served = await Promise.race([waiting, sleep(2_000).then(() => undefined)])
        expect(served?.held).toBe(true)
        await served!.release()
      }
    } finally {
      await Promise.all(limiters.map((limiter) => limiter.close()))
      limiters = []
      await old.stop()
    }
  })
})
