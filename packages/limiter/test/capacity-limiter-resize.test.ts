import { describe, expect, it } from 'vitest'
import { CapacityLimiter } from '../src/index.js'
import { deferred, flush } from './deferred.js'

describe('resizing at runtime', () => {
  it('growing wakes waiters at once', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = await limiter.acquire()
    const waiting = [limiter.acquire(), limiter.acquire(), limiter.acquire()]
    limiter.totalTokens = 3
    expect(limiter.borrowedTokens).toBe(3)
    expect(limiter.waiting).toBe(1)
    const leases = await Promise.all(waiting.slice(0, 2))
    limiter.totalTokens = Number.POSITIVE_INFINITY
    leases.push(await waiting[2]!)
    for (const lease of [hold, ...leases]) lease.release()
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('shrinking revokes nothing and takes effect as leases return', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 4 })
    const leases = await Promise.all([1, 2, 3, 4].map(() => limiter.acquire()))
    const waiter = limiter.acquire()
    limiter.totalTokens = 2
    expect(limiter.borrowedTokens).toBe(4)
    expect(limiter.availableTokens).toBe(0)
    leases[0]!.release()
    leases[1]!.release()
    expect(limiter.borrowedTokens).toBe(2)
    expect(limiter.waiting).toBe(1)
    leases[2]!.release()
    expect(limiter.borrowedTokens).toBe(2)
    expect(limiter.waiting).toBe(0)
    ;(await waiter).release()
    leases[3]!.release()
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('holds the cap through resizes in both directions under load', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 5, maxWaiting: Number.POSITIVE_INFINITY })
    let running = 0
    let violations = 0
    const tasks = Array.from({ length: 2_000 }, (_, index) =>
      limiter.run(async () => {
        running++
        // A shrink may leave more running than the new size, but never more than hold a token.
        if (running > limiter.borrowedTokens) violations++
        await flush()
        running--
        return index
      }),
    )
    for (let step = 0; step < 20; step++) {
      limiter.totalTokens = step % 2 === 0 ? 1 : 12
      await flush()
      expect(running).toBeLessThanOrEqual(12)
      expect(limiter.borrowedTokens).toBeLessThanOrEqual(12)
      expect(running).toBeLessThanOrEqual(limiter.borrowedTokens)
    }
    limiter.totalTokens = 8
    const results = await Promise.all(tasks)
    expect(results).toHaveLength(2_000)
    expect(violations).toBe(0)
    expect(limiter.borrowedTokens).toBe(0)
    expect(limiter.waiting).toBe(0)
  })

  it('a resize to a size below borrowedTokens never hands out a token until borrowedTokens < totalTokens', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 3 })
    const gates = [deferred(), deferred(), deferred()]
    const running = gates.map((gate) => limiter.run(() => gate.promise))
    const extra = limiter.run(() => 'extra')
    limiter.totalTokens = 1
    gates[0]!.resolve()
    gates[1]!.resolve()
    await flush()
    expect(limiter.waiting).toBe(1)
    gates[2]!.resolve()
    expect(await extra).toBe('extra')
    await Promise.all(running)
  })
})
