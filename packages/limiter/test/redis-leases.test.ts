import { describe, expect, it, vi } from 'vitest'
import { ClosedError, LeaseLostError } from '../src/redis/index.js'
import { eventually, redisBedPerTest, sleep } from './fixtures/redis-bed.js'

describe('RedisCapacityLimiter leases', () => {
  const bed = redisBedPerTest()

  it('a lease renewed by its live holder outlives leaseMs', async () => {
    // Renewed every 300 ms; the machine may stall, so the lease leaves room for that.
    const holder = bed.limiter({ totalTokens: 1, leaseMs: 900 })
    const other = bed.limiter({ leaseMs: 900 })
    const lease = await holder.acquire()
    await sleep(2_500)
    expect(lease.held).toBe(true)
    expect(lease.signal.aborted).toBe(false)
    expect(await bed.client().zscore(bed.key('holders'), lease.id)).not.toBeNull()
    await expect(other.acquire({ timeoutMs: 0 })).rejects.toMatchObject({
      code: 'LOOPWORK_TIMEOUT',
    })
    expect(await lease.release()).toBe(true)
  })

  it('a lease renewed too late is lost: leaseLost "expired", its signal aborts, and it is never renewed back', async () => {
    const limiter = bed.limiter({ totalTokens: 1, leaseMs: 300 })
    const lost: string[] = []
    limiter.on('leaseLost', ({ lease, reason, stats }) =>
      lost.push(`${lease.id}:${reason}:${stats.leasesLost}`),
    )
    const lease = await limiter.acquire()
    const signal = lease.signal
    // Redis no longer has it when the next renewal arrives (as if it had expired there).
    const redis = bed.client()
    await redis.zrem(bed.key('holders'), lease.id)
    await eventually(() => expect(signal.aborted).toBe(true), 2_000)
    expect(signal.reason).toBeInstanceOf(LeaseLostError)
    expect(signal.reason).toMatchObject({ code: 'LOOPWORK_LEASE_LOST', reason: 'expired' })
    expect(lost).toEqual([`${lease.id}:expired:1`])
    expect(lease.held).toBe(false)
    // The token is free for someone else, and later renewals never bring the old lease back.
    const next = await limiter.acquire({ timeoutMs: 0 })
    await sleep(400)
    expect(await redis.zscore(bed.key('holders'), lease.id)).toBeNull()
    expect(await lease.release()).toBe(false)
    expect(await next.release()).toBe(true)
  })

  it('the signal of a lease read only after it was lost is aborted already', async () => {
    const limiter = bed.limiter({ totalTokens: 1, leaseMs: 300 })
    const lease = await limiter.acquire()
    await bed.client().zrem(bed.key('holders'), lease.id)
    await eventually(() => expect(lease.held).toBe(false), 2_000)
    expect(lease.signal.aborted).toBe(true)
    expect(lease.signal.reason).toBeInstanceOf(LeaseLostError)
  })

  it('release is idempotent and never aborts the signal; using and await using release', async () => {
    const limiter = bed.limiter({ totalTokens: 1 })
    const lease = await limiter.acquire()
    const [first, second] = await Promise.all([lease.release(), lease.release()])
    expect([first, second]).toEqual([true, false])
    expect(lease.signal.aborted).toBe(false)
    {
      await using scoped = await limiter.acquire()
      expect(scoped.held).toBe(true)
    }
    {
      using scoped = await limiter.acquire()
      expect(scoped.held).toBe(true)
    }
    // `using` releases without waiting; the token comes back right after.
    await (await limiter.acquire({ timeoutMs: 1_000 })).release()
  })

  it('close() aborts the leases still held with a ClosedError and gives their tokens back', async () => {
    const closing = bed.limiter({ totalTokens: 1 })
    const other = bed.limiter()
    const lease = await closing.acquire()
    const waiting = closing.acquire().catch((error: unknown) => error)
    await eventually(() => expect(closing.stats().waiting).toBe(1))
    await closing.close()
    expect(await waiting).toBeInstanceOf(ClosedError)
    expect(lease.signal.reason).toBeInstanceOf(ClosedError)
    expect(await lease.release()).toBe(false)
    await expect(closing.acquire()).rejects.toMatchObject({ code: 'LOOPWORK_CLOSED' })
    const next = await other.acquire({ timeoutMs: 0 })
    await next.release()
    expect(await other.refreshStats()).toMatchObject({ borrowedTokens: 0, waiting: 0 })
  })

  it('a waiter that waits many lease times keeps its place and is served in turn', async () => {
    const holder = bed.limiter({ totalTokens: 1, leaseMs: 900 })
    const patient = bed.limiter({ leaseMs: 300 })
    const later = bed.limiter({ leaseMs: 300 })
    const lease = await holder.acquire()
    const first = patient.acquire()
    await eventually(() => expect(patient.stats().waiting).toBe(1))
    const second = later.acquire()
    await eventually(() => expect(later.stats().waiting).toBe(2))
    // Ten times the waiters' lease: only their renewals keep them queued.
    await sleep(3_000)
    expect((await holder.refreshStats()).waiting).toBe(2)
    await lease.release()
    const served = await first
    expect(later.stats().localWaiting).toBe(1)
    await served.release()
    await (await second).release()
  })

  it("an instance whose clock is an hour ahead changes nothing: only Redis' clock counts", async () => {
    const skewed = Date.now() + 3_600_000
    vi.spyOn(Date, 'now').mockImplementation(() => skewed)
    const ahead = bed.limiter({ totalTokens: 1, leaseMs: 900 })
    const other = bed.limiter({ leaseMs: 900 })
    const lease = await ahead.acquire()
    await sleep(1_500)
    expect(lease.held).toBe(true)
    await expect(other.acquire({ timeoutMs: 0 })).rejects.toMatchObject({
      code: 'LOOPWORK_TIMEOUT',
    })
    await lease.release()
    await (await other.acquire({ timeoutMs: 0 })).release()
  })
})
