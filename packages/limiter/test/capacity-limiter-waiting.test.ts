import { describe, expect, it, vi } from 'vitest'
import { AbortError, CapacityLimiter, QueueFullError, TimeoutError } from '../src/index.js'
import { flush } from './deferred.js'

describe('waiting: abort, timeout, load shedding', () => {
  it('an aborted waiter leaves the queue at once, rejects with AbortError and skips nobody', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = await limiter.acquire()
    const controller = new AbortController()
    const order: string[] = []
    const aborted = limiter.run(() => order.push('aborted'), { signal: controller.signal })
    const next = limiter.run(() => order.push('next'))
    expect(limiter.waiting).toBe(2)
    controller.abort(new Error('client went away'))
    expect(limiter.waiting).toBe(1)
    const error = await aborted.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AbortError)
    expect((error as AbortError).name).toBe('AbortError')
    expect((error as AbortError).code).toBe('ABORT_ERR')
    expect((error as Error).cause).toEqual(new Error('client went away'))
    hold.release()
    await next
    expect(order).toEqual(['next'])
    expect(limiter.borrowedTokens).toBe(0)
    expect(limiter.stats().aborted).toBe(1)
  })

  it('an already aborted signal rejects without queueing', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    await expect(limiter.acquire({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortError,
    )
    expect(limiter.borrowedTokens).toBe(0)
    expect(limiter.waiting).toBe(0)
  })

  it('a waiter that times out rejects with TimeoutError and leaves the queue', async () => {
    vi.useFakeTimers()
    try {
      const limiter = new CapacityLimiter({ totalTokens: 1, name: 'db' })
      const hold = await limiter.acquire()
      const waiting = limiter.acquire({ timeoutMs: 50 })
      const caught = waiting.catch((error: unknown) => error)
      vi.advanceTimersByTime(49)
      expect(limiter.waiting).toBe(1)
      vi.advanceTimersByTime(1)
      const error = await caught
      expect(error).toBeInstanceOf(TimeoutError)
      expect((error as TimeoutError).message).toMatch(/limiter "db".*timeoutMs \(50 ms\)/)
      expect(limiter.waiting).toBe(0)
      expect(limiter.stats().timedOut).toBe(1)
      hold.release()
      expect(limiter.borrowedTokens).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a wait timer does not keep the process alive', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = await limiter.acquire()
    const schedule = vi.spyOn(globalThis, 'setTimeout')
    try {
      const waiting = limiter.acquire({ timeoutMs: 60_000 })
      const timer = schedule.mock.results[0]!.value as NodeJS.Timeout
      expect(timer.hasRef()).toBe(false)
      hold.release()
      ;(await waiting).release()
    } finally {
      schedule.mockRestore()
    }
  })

  it('wrap applies its options to every call', async () => {
    vi.useFakeTimers()
    try {
      const limiter = new CapacityLimiter({ totalTokens: 1 })
      const double = limiter.wrap(async (value: number) => value * 2, { timeoutMs: 20 })
      expect(await double(2)).toBe(4)
      const hold = limiter.tryAcquire()!
      const outcomes = [double(3), double(4)].map((call) => call.catch((error: unknown) => error))
      vi.advanceTimersByTime(20)
      for (const outcome of await Promise.all(outcomes)) {
        expect(outcome).toBeInstanceOf(TimeoutError)
        expect(outcome).toMatchObject({ timeoutMs: 20 })
      }
      expect(limiter.stats().timedOut).toBe(2)
      hold.release()
    } finally {
      vi.useRealTimers()
    }
  })

  it('a granted waiter clears its timer and abort listener', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const hold = await limiter.acquire()
    const controller = new AbortController()
    const remove = vi.spyOn(controller.signal, 'removeEventListener')
    const clear = vi.spyOn(globalThis, 'clearTimeout')
    const waiting = limiter.acquire({ signal: controller.signal, timeoutMs: 60_000 })
    hold.release()
    const lease = await waiting
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function))
    expect(clear).toHaveBeenCalled()
    controller.abort()
    expect(lease.held).toBe(true)
    lease.release()
    clear.mockRestore()
  })

  it('refuses callers at once with QueueFullError once maxWaiting wait', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 2, name: 'api' })
    const rejects: string[] = []
    limiter.on('reject', ({ reason, stats }) => rejects.push(`${reason}:${stats.rejected}`))
    const hold = await limiter.acquire()
    const first = limiter.acquire()
    const second = limiter.acquire()
    const error = await limiter.run(() => 'never').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(QueueFullError)
    expect(error).toMatchObject({ code: 'LOOPWORK_QUEUE_FULL', option: 'maxWaiting', limit: 2 })
    expect((error as Error).message).toMatch(/maxWaiting \(2\)/)
    expect(limiter.waiting).toBe(2)
    expect(limiter.stats().rejected).toBe(1)
    expect(rejects).toEqual(['queueFull:1'])
    hold.release()
    ;(await first).release()
    ;(await second).release()
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('maxWaiting 0 means: a free token or an immediate rejection', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 0 })
    const lease = await limiter.acquire()
    await expect(limiter.acquire()).rejects.toBeInstanceOf(QueueFullError)
    lease.release()
  })

  it('abort at the moment a token frees: either the waiter gets it or the next one does, none leaks', async () => {
    for (const abortFirst of [true, false]) {
      const limiter = new CapacityLimiter({ totalTokens: 1 })
      const hold = await limiter.acquire()
      const controller = new AbortController()
      const racing = limiter.acquire({ signal: controller.signal })
      const next = limiter.acquire()
      if (abortFirst) {
        controller.abort()
        hold.release()
      } else {
        hold.release()
        controller.abort()
      }
      const outcome = await racing.then(
        (lease) => lease,
        (error: unknown) => error,
      )
      if (abortFirst) {
        expect(outcome).toBeInstanceOf(AbortError)
      } else {
        expect(outcome).toHaveProperty('held', true)
        ;(outcome as { release(): void }).release()
      }
      const nextLease = await next
      expect(limiter.borrowedTokens).toBe(1)
      nextLease.release()
      expect(limiter.borrowedTokens).toBe(0)
      expect(limiter.waiting).toBe(0)
    }
  })

  it('emits wait, acquire and release events only to listeners', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const events: string[] = []
    limiter.on('acquire', ({ stats }) => events.push(`acquire:${stats.borrowedTokens}`))
    limiter.on('release', ({ stats }) => events.push(`release:${stats.running}`))
    limiter.on('wait', ({ stats }) => events.push(`wait:${stats.waiting}`))
    const lease = await limiter.acquire()
    const queued = limiter.run(() => 'x')
    lease.release()
    await queued
    await flush()
    expect(events).toEqual(['acquire:1', 'wait:1', 'release:0', 'acquire:1', 'release:0'])
  })
})
