import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, RedisBed, sleep } from './fixtures/redis-bed.js'
import type { WorkerMessage } from './fixtures/redis-worker.js'
import { startWorkers, type Worker } from './fixtures/redis-workers.js'

describe('RedisCapacityLimiter across processes', () => {
  let bed: RedisBed
  let workers: Worker[] = []
  beforeEach(() => {
    bed = new RedisBed()
  })
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.kill()))
    workers = []
    // What a killed worker wrote just before it died may still reach Redis after it exited.
    await sleep(200)
    await bed.cleanUp()
  })

  async function queueLength(): Promise<number> {
    return bed.client().zcard(bed.key('queue'))
  }

  it('never lets more than N hold a token at once over thousands of acquisitions (independent counter)', async () => {
    const tokens = 3
    workers = await startWorkers(4, bed, { totalTokens: tokens })
    const counterKey = `${bed.prefix}inside`
    for (const worker of workers) {
      worker.send({ op: 'hammer', count: 750, concurrency: 4, counterKey })
    }
    const results = await Promise.all(
      workers.map((worker) =>
        worker.next(
          (message): message is Extract<WorkerMessage, { op: 'hammered' }> =>
            message.op === 'hammered',
          120_000,
        ),
      ),
    )
    const granted = results.flatMap((result) => result.tokens)
    expect(results.flatMap((result) => result.errors)).toEqual([])
    expect(granted).toHaveLength(3000)
    // Every grant has its own number.
    expect(new Set(granted).size).toBe(3000)
    const maxInside = Math.max(...results.map((result) => result.maxInside))
    expect(maxInside).toBeLessThanOrEqual(tokens)
    expect(maxInside).toBeGreaterThan(1)
    const redis = bed.client()
    expect(await redis.get(counterKey)).toBe('0')
    expect(await redis.zcard(bed.key('holders'))).toBe(0)
    expect(await redis.zcard(bed.key('queue'))).toBe(0)
  }, 150_000)

  it('hands tokens over in FIFO order across processes, and a releasing process does not barge', async () => {
    workers = await startWorkers(3, bed)
    const [a, b, c] = workers as [Worker, Worker, Worker]
    const holder = bed.limiter({ totalTokens: 1 })
    const first = await holder.acquire()
    const order: [Worker, string][] = [
      [a, 'a1'],
      [b, 'b1'],
      [c, 'c1'],
      [a, 'a2'],
      [b, 'b2'],
      [c, 'c2'],
    ]
    for (const [index, [worker, tag]] of order.entries()) {
      worker.send({ op: 'acquire', tag, releaseAfterMs: 5 })
      await eventually(async () => expect(await queueLength()).toBe(index + 1))
    }
    await first.release()
    // The holder asks again at once: it queues behind everyone who waited.
    const again = holder.acquire()
    const grants = await Promise.all(order.map(([worker, tag]) => worker.granted(tag)))
    const last = await again
    const sorted = [...grants].sort((x, y) => x.token - y.token)
    expect(sorted.map((grant) => grant.tag)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'c2'])
    expect(last.token).toBeGreaterThan(sorted.at(-1)!.token)
    await last.release()
  }, 60_000)

  it('a holder killed with SIGKILL gives its token back within its lease', async () => {
    const leaseMs = 1_500
    workers = await startWorkers(2, bed, { leaseMs })
    const [victim, survivor] = workers as [Worker, Worker]
    victim.send({ op: 'acquire', tag: 'held' })
    await victim.granted('held')
    survivor.send({ op: 'acquire', tag: 'next' })
    await eventually(async () => expect(await queueLength()).toBe(1))
    // Renewed while alive: it keeps the token past its lease.
    await new Promise((resolve) => setTimeout(resolve, leaseMs * 1.5))
    expect(survivor.messages.some((message) => message.op === 'granted')).toBe(false)
    const killedAt = Date.now()
    await victim.kill()
    const grant = await survivor.granted('next')
    // Back within the lease (plus the survivor's wake-up); never a stuck slot.
    expect(grant.at - killedAt).toBeLessThan(leaseMs * 2 + 1_000)
  }, 60_000)

  it('a waiter killed at the head of the queue does not hold up the next one', async () => {
    const leaseMs = 1_000
    workers = await startWorkers(2, bed, { leaseMs })
    const [victim, survivor] = workers as [Worker, Worker]
    const holder = bed.limiter({ totalTokens: 1, leaseMs })
    const lease = await holder.acquire()
    victim.send({ op: 'acquire', tag: 'dead' })
    await eventually(async () => expect(await queueLength()).toBe(1))
    survivor.send({ op: 'acquire', tag: 'alive' })
    await eventually(async () => expect(await queueLength()).toBe(2))
    await victim.kill()
    const releasedAt = Date.now()
    await lease.release()
    const grant = await survivor.granted('alive')
    // The dead waiter's place (or the grant it got) runs out within its lease.
    expect(grant.at - releasedAt).toBeLessThan(leaseMs * 2 + 1_000)
  }, 60_000)

  it('raising the limit while others wait wakes exactly the difference, in FIFO order; lowering revokes nobody', async () => {
    workers = await startWorkers(2, bed)
    const [a, b] = workers as [Worker, Worker]
    const admin = bed.limiter({ totalTokens: 1 })
    const lease = await admin.acquire()
    const order: [Worker, string][] = [
      [a, 'w1'],
      [b, 'w2'],
      [a, 'w3'],
      [b, 'w4'],
    ]
    for (const [index, [worker, tag]] of order.entries()) {
      worker.send({ op: 'acquire', tag })
      await eventually(async () => expect(await queueLength()).toBe(index + 1))
    }
    await admin.setTotalTokens(3)
    const first = await Promise.all([a.granted('w1'), b.granted('w2')])
    expect(first[0].token).toBeLessThan(first[1].token)
    expect(await queueLength()).toBe(2)
    expect(admin.stats()).toMatchObject({ totalTokens: 3, borrowedTokens: 3, waiting: 2 })

    // Lowering to 2 revokes nothing: three still hold, and a release (3 -> 2) wakes nobody.
    await admin.setTotalTokens(2)
    await lease.release()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await queueLength()).toBe(2)
    expect(a.messages.some((message) => message.op === 'granted' && message.tag === 'w3')).toBe(
      false,
    )
    // The next release (2 -> 1) frees one token under the new limit: w3 gets it, w4 waits.
    a.send({ op: 'release', tag: 'w1' })
    await a.granted('w3')
    expect(await queueLength()).toBe(1)
    expect(await bed.client().hget(bed.key('config'), 'totalTokens')).toBe('2')
  }, 60_000)
})
