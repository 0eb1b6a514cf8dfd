import { EventEmitter as NodeEventEmitter } from 'node:events'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import {
  CapacityLimiter,
  type CapacityLimiterEvent,
  type CapacityLimiterEvents,
  type CapacityLimiterRejectEvent,
  type CapacityLimiterStats,
} from '../src/index.js'
import { flush } from './deferred.js'

describe('events and stats', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('stats() is a fresh plain object with name, running and waiting', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 2, maxWaiting: 7, name: 'db' })
    const leases = [limiter.tryAcquire()!, limiter.tryAcquire()!]
    const waiting = limiter.acquire()
    const stats: CapacityLimiterStats = limiter.stats()
    expect(stats).toEqual({
      name: 'db',
      running: 2,
      waiting: 1,
      totalTokens: 2,
      borrowedTokens: 2,
      availableTokens: 0,
      maxWaiting: 7,
      acquired: 2,
      rejected: 0,
      timedOut: 0,
      aborted: 0,
    })
    expect(limiter.stats()).not.toBe(stats)
    for (const lease of leases) lease.release()
    ;(await waiting).release()
  })

  it('reject carries one object with the reason and the stats, for each reason', async () => {
    vi.useFakeTimers()
    try {
      const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 1 })
      const events: CapacityLimiterRejectEvent[] = []
      limiter.on('reject', (event) => events.push(event))
      const hold = limiter.tryAcquire()!
      const timing = limiter.acquire({ timeoutMs: 10 }).catch(() => 'timed out')
      await limiter.acquire().catch(() => 'refused')
      vi.advanceTimersByTime(10)
      await timing
      await limiter.acquire({ signal: AbortSignal.abort() }).catch(() => 'aborted')
      expect(events.map(({ reason, stats }) => [reason, stats.rejected, stats.timedOut])).toEqual([
        ['queueFull', 1, 0],
        ['timeout', 1, 1],
        ['abort', 1, 1],
      ])
      expect(events[2]!.stats.aborted).toBe(1)
      hold.release()
    } finally {
      vi.useRealTimers()
    }
  })

  it('on() types each listener from the events map, as does a Node EventEmitter of the same map', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 0 })
    const seen: string[] = []
    limiter.on('acquire', (event) => {
      expectTypeOf(event).toEqualTypeOf<CapacityLimiterEvent>()
      seen.push(`acquire:${event.stats.borrowedTokens}`)
    })
    limiter.on('reject', (event) => {
      expectTypeOf(event).toEqualTypeOf<CapacityLimiterRejectEvent>()
      seen.push(`reject:${event.reason}`)
    })
    // @ts-expect-error an acquire event has no reason
    limiter.on('acquire', ({ reason }: CapacityLimiterRejectEvent) => reason)
    const hold = limiter.tryAcquire()!
    await limiter.acquire().catch(() => 'refused')
    hold.release()
    expect(seen).toEqual(['acquire:1', 'reject:queueFull'])

    const node = new NodeEventEmitter<CapacityLimiterEvents>()
    node.on('reject', (event) => {
      expectTypeOf(event).toEqualTypeOf<CapacityLimiterRejectEvent>()
      seen.push(`node:${event.reason}`)
    })
    node.emit('reject', { reason: 'timeout', stats: limiter.stats() })
    expect(seen.at(-1)).toBe('node:timeout')
  })

  it('a throwing listener is reported as an uncaught exception and leaves no token behind', async () => {
    const reported: (() => void)[] = []
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((callback) => {
      reported.push(callback)
    })
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const failure = new Error('listener failure')
    limiter.on('release', () => {
      throw failure
    })
    const hold = limiter.tryAcquire()!
    const queued = limiter.run(async () => 'queued')
    hold.release()
    expect(await queued).toBe('queued')
    await flush()
    expect(limiter.borrowedTokens).toBe(0)
    expect(limiter.waiting).toBe(0)
    expect(reported).toHaveLength(2)
    for (const report of reported) expect(report).toThrow(failure)
  })
})
