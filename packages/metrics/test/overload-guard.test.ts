import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createMetrics,
  createOverloadGuard,
  type LoadProbe,
  type LoadSample,
  type OverloadGuard,
  type OverloadGuardOptions,
} from '../src/index.js'
import { ProcessLoadProbe } from '../src/internal/process-load-probe.js'
import { parseExposition, sample } from './exposition.js'
import { blockLoop } from './fakes.js'

const quiet: LoadSample = {
  eventLoopDelayMs: 1,
  eventLoopUtilization: 0.1,
  heapUsedBytes: 10,
  rssBytes: 10,
}

/** A probe that returns whatever the test puts in `next`, and counts reads. */
class ScriptedProbe implements LoadProbe {
  next: LoadSample = quiet
  reads = 0
  closed = 0
  read(): LoadSample {
    this.reads++
    return this.next
  }
  close(): void {
    this.closed++
  }
}

const guards: OverloadGuard[] = []
function guarded(options: OverloadGuardOptions) {
  const probe = new ScriptedProbe()
  const guard = createOverloadGuard({ sampleIntervalMs: 500, probe, ...options })
  guards.push(guard)
  const sampleWith = (next: Partial<LoadSample>) => {
    probe.next = { ...quiet, ...next }
    vi.advanceTimersByTime(500)
  }
  return { guard, probe, sampleWith }
}

describe('overload guard, driven by a scripted probe', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => {
    for (const guard of guards.splice(0)) guard.close()
    vi.useRealTimers()
  })

  it('starts healthy and answers with the same frozen object on every check', () => {
    const { guard } = guarded({ maxEventLoopDelayMs: 100 })
    const first = guard.check()
    expect(first).toEqual({ overloaded: false })
    expect(Object.isFrozen(first)).toBe(true)
    expect(guard.check()).toBe(first)
  })

  it('samples on its timer once per interval, never per check', () => {
    const { guard, probe } = guarded({ maxEventLoopDelayMs: 100 })
    for (let index = 0; index < 1_000; index++) guard.check()
    expect(probe.reads).toBe(0)
    vi.advanceTimersByTime(1_600)
    expect(probe.reads).toBe(3)
    expect(guard.stats()).toMatchObject({ samples: 3, lastSample: quiet })
  })

  it('trips on the interval’s delay and says why, with the Retry-After to send', () => {
    const { guard, sampleWith } = guarded({ maxEventLoopDelayMs: 100 })
    sampleWith({ eventLoopDelayMs: 312.4 })
    const status = guard.check()
    expect(status).toEqual({
      overloaded: true,
      reason: 'eventLoopDelay',
      message: 'event loop delay (p99) 312 ms exceeds maxEventLoopDelayMs (100)',
      retryAfterSeconds: 10,
    })
    expect(Object.isFrozen(status)).toBe(true)
    expect(guard.check()).toBe(status)
  })

  it.each([
    [
      { maxEventLoopUtilization: 0.9 },
      { eventLoopUtilization: 0.97 },
      'eventLoopUtilization',
      /event loop utilization 0.970 exceeds maxEventLoopUtilization \(0.9\)/,
    ],
    [
      { maxHeapUsedBytes: 1_000 },
      { heapUsedBytes: 5_000 },
      'heapUsedBytes',
      /heap used 5000 bytes exceeds maxHeapUsedBytes \(1000\)/,
    ],
    [
      { maxRssBytes: 1_000 },
      { rssBytes: 5_000 },
      'rssBytes',
      /resident set 5000 bytes exceeds maxRssBytes \(1000\)/,
    ],
  ])('trips on %o', (options, next, reason, message) => {
    const { guard, sampleWith } = guarded(options)
    sampleWith(next)
    expect(guard.check()).toMatchObject({
      overloaded: true,
      reason,
      message: expect.stringMatching(message),
    })
  })

  it('recovers only after enough calm samples in a row (hysteresis)', () => {
    const { guard, sampleWith } = guarded({ maxEventLoopDelayMs: 100 })
    sampleWith({ eventLoopDelayMs: 150 })
    sampleWith({ eventLoopDelayMs: 90 })
    expect(guard.check().overloaded).toBe(true)
    sampleWith({ eventLoopDelayMs: 50 })
    expect(guard.check().overloaded).toBe(true)
    sampleWith({ eventLoopDelayMs: 85 })
    sampleWith({ eventLoopDelayMs: 50 })
    expect(guard.check().overloaded).toBe(true)
    sampleWith({ eventLoopDelayMs: 50 })
    expect(guard.check()).toEqual({ overloaded: false })
  })

  it('honours recoverySamples and recoveryRatio', () => {
    const { guard, sampleWith } = guarded({
      maxEventLoopUtilization: 0.9,
      recoverySamples: 3,
      recoveryRatio: 0.5,
    })
    sampleWith({ eventLoopUtilization: 0.95 })
    for (let index = 0; index < 5; index++) sampleWith({ eventLoopUtilization: 0.6 })
    expect(guard.check().overloaded).toBe(true)
    sampleWith({ eventLoopUtilization: 0.4 })
    sampleWith({ eventLoopUtilization: 0.4 })
    expect(guard.check().overloaded).toBe(true)
    sampleWith({ eventLoopUtilization: 0.4 })
    expect(guard.check().overloaded).toBe(false)
  })

  it('judges every limit set and reports the one that is exceeded now', () => {
    const { guard, sampleWith } = guarded({ maxEventLoopDelayMs: 100, maxRssBytes: 1_000 })
    sampleWith({ eventLoopDelayMs: 200 })
    expect(guard.check().reason).toBe('eventLoopDelay')
    sampleWith({ rssBytes: 2_000 })
    expect(guard.check().reason).toBe('rssBytes')
    sampleWith({ eventLoopDelayMs: 1, rssBytes: 900 })
    sampleWith({ eventLoopDelayMs: 1, rssBytes: 900 })
    expect(guard.check().overloaded).toBe(true)
  })

  it('counts shed checks, and sends the configured Retry-After', () => {
    const { guard, sampleWith } = guarded({ maxEventLoopDelayMs: 100, retryAfterSeconds: 3 })
    guard.check()
    sampleWith({ eventLoopDelayMs: 500 })
    guard.check()
    guard.check()
    expect(guard.check().retryAfterSeconds).toBe(3)
    expect(guard.retryAfterSeconds).toBe(3)
    expect(guard.stats()).toMatchObject({ overloaded: true, reason: 'eventLoopDelay', shed: 3 })
  })

  it('close() stops the timer, releases the probe and lets everything through', () => {
    const timers = vi.getTimerCount()
    const { guard, probe, sampleWith } = guarded({ maxEventLoopDelayMs: 100 })
    expect(vi.getTimerCount()).toBe(timers + 1)
    sampleWith({ eventLoopDelayMs: 500 })
    guard.close()
    guard[Symbol.dispose]()
    expect(vi.getTimerCount()).toBe(timers)
    expect(probe.closed).toBe(1)
    expect(guard.check()).toEqual({ overloaded: false })
    guard.sample()
    expect(probe.reads).toBe(1)
  })

  it('keeps its verdict and warns when a custom probe throws', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const { guard, probe, sampleWith } = guarded({ maxEventLoopDelayMs: 100 })
    sampleWith({ eventLoopDelayMs: 500 })
    probe.read = () => {
      throw new Error('probe broke')
    }
    vi.advanceTimersByTime(500)
    expect(guard.check().overloaded).toBe(true)
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ message: 'probe broke' }))
    warn.mockRestore()
  })

  it.each([
    [
      {},
      TypeError,
      /createOverloadGuard\(\) options must be an object with at least one limit: maxEventLoopDelayMs, maxEventLoopUtilization, maxHeapUsedBytes or maxRssBytes/,
    ],
    [
      { maxEventLoopDelayMs: 0 },
      RangeError,
      /maxEventLoopDelayMs must be a number of milliseconds from 1 to 2147483647, got 0/,
    ],
    [
      { maxEventLoopUtilization: 1.5 },
      RangeError,
      /maxEventLoopUtilization must be a number greater than 0 and at most 1, got 1.5/,
    ],
    [{ maxHeapUsedBytes: '1GB' }, TypeError, /maxHeapUsedBytes must be an integer.*got "1GB"/],
    [
      { maxRssBytes: 1, sampleIntervalMs: 5 },
      RangeError,
      /sampleIntervalMs must be a number of milliseconds from 10 to 2147483647, got 5/,
    ],
    [
      { maxRssBytes: 1, sampleIntervalMs: Number.POSITIVE_INFINITY },
      RangeError,
      /sampleIntervalMs must be a number of milliseconds from 10/,
    ],
    [
      { maxRssBytes: 1, retryAfterSeconds: 1.5 },
      RangeError,
      /retryAfterSeconds must be an integer from 0 to 86400, got 1.5/,
    ],
    [
      { maxRssBytes: 1, recoverySamples: 0 },
      RangeError,
      /recoverySamples must be an integer from 1 to 1000/,
    ],
    [
      { maxRssBytes: 1, recoveryRatio: 0 },
      RangeError,
      /recoveryRatio must be a number greater than 0 and at most 1/,
    ],
    [
      { maxRssBytes: 1, eventLoopDelayStatistic: 'mean' },
      TypeError,
      /eventLoopDelayStatistic must be one of "p99", "max", got "mean"/,
    ],
    [
      { maxRssBytes: 1, probe: {} },
      TypeError,
      /probe must be an object with read\(\) and close\(\) methods/,
    ],
    [{ maxRssBytes: 1, name: '' }, TypeError, /name must be a non-empty string/],
    [
      { maxEventLoopDelay: 200 },
      TypeError,
      /Unknown option "maxEventLoopDelay" in createOverloadGuard\(\) options \(did you mean "maxEventLoopDelayMs"\?\)/,
    ],
  ])('rejects %o', (options, type, message) => {
    const timers = vi.getTimerCount()
    expect(() => createOverloadGuard(options as never)).toThrow(type)
    expect(() => createOverloadGuard(options as never)).toThrow(message)
    expect(() => createOverloadGuard(options as never)).toThrow(
      expect.objectContaining({ code: 'LOOPWORK_INVALID_OPTION' }),
    )
    expect(vi.getTimerCount()).toBe(timers)
  })

  it('has a name, repeated in stats() with nothing waiting', () => {
    const { guard } = guarded({ maxEventLoopDelayMs: 100 })
    expect(guard.name).toBe('overload-guard')
    expect(guard.stats()).toEqual({
      name: 'overload-guard',
      waiting: 0,
      overloaded: false,
      reason: undefined,
      shed: 0,
      samples: 0,
      lastSample: undefined,
    })
    const named = guarded({ name: 'http', maxEventLoopDelayMs: 100 }).guard
    expect(named.name).toBe('http')
    expect(named.stats().name).toBe('http')
    expect(named.stats()).not.toBe(named.stats())
  })

  it('is exported by metrics.track() under its own name: active state and shed count', async () => {
    const metrics = createMetrics({ eventLoop: false })
    const { guard, sampleWith } = guarded({ name: 'http', maxEventLoopDelayMs: 100 })
    metrics.track(guard)
    sampleWith({ eventLoopDelayMs: 500 })
    guard.check()
    const parsed = parseExposition(await metrics.render())
    expect(sample(parsed, 'overload_active{name="http"}')).toBe(1)
    expect(sample(parsed, 'overload_shed_total{name="http"}')).toBe(1)
    expect(parsed.types.get('overload_shed_total')).toBe('counter')
    metrics.close()
  })
})

describe('overload guard on this process', () => {
  afterEach(() => {
    for (const guard of guards.splice(0)) guard.close()
    vi.restoreAllMocks()
  })

  it('samples on one unref’d timer', () => {
    const spy = vi.spyOn(globalThis, 'setInterval')
    const guard = createOverloadGuard({ maxEventLoopDelayMs: 100 })
    guards.push(guard)
    expect(spy).toHaveBeenCalledTimes(1)
    expect(spy).toHaveBeenCalledWith(expect.any(Function), 1000)
    expect((spy.mock.results[0]!.value as NodeJS.Timeout).hasRef()).toBe(false)
  })

  it('sheds while the loop is blocked and lets requests in again once it is calm', async () => {
    const guard = createOverloadGuard({
      maxEventLoopDelayMs: 200,
      maxEventLoopUtilization: 0.6,
      sampleIntervalMs: 100,
    })
    guards.push(guard)
    await sleep(150)
    blockLoop(400)
    await sleep(150)
    expect(guard.check()).toMatchObject({ overloaded: true, retryAfterSeconds: 10 })
    for (let attempt = 0; attempt < 60 && guard.check().overloaded; attempt++) await sleep(100)
    expect(guard.check()).toEqual({ overloaded: false })
  })
})

describe('ProcessLoadProbe', () => {
  it('measures the interval’s delay at least as the sampling timer’s own lateness', () => {
    const probe = new ProcessLoadProbe({
      intervalMs: 50,
      delayStatistic: 'max',
      readHeap: false,
      readRss: false,
    })
    blockLoop(250)
    const sampled = probe.read()
    probe.close()
    expect(sampled.eventLoopDelayMs).toBeGreaterThanOrEqual(190)
    expect(sampled.eventLoopUtilization).toBeGreaterThanOrEqual(0)
    expect(sampled.eventLoopUtilization).toBeLessThanOrEqual(1)
    expect(sampled.heapUsedBytes).toBe(0)
    expect(sampled.rssBytes).toBe(0)
  })

  it('reads memory only when a memory limit asks for it', () => {
    const probe = new ProcessLoadProbe({
      intervalMs: 1000,
      delayStatistic: 'p99',
      readHeap: true,
      readRss: true,
    })
    const sampled = probe.read()
    probe.close()
    expect(sampled.heapUsedBytes).toBeGreaterThan(0)
    expect(sampled.rssBytes).toBeGreaterThan(sampled.heapUsedBytes / 4)
  })
})
