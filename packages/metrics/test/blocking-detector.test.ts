import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  type BlockedLoopReport,
  createMetrics,
  DetectorActiveError,
  type Metrics,
} from '../src/index.js'
import { BlockingDetector, BlockTotals } from '../src/internal/blocking-detector.js'
import { parseExposition, sample } from './exposition.js'
import { blockLoop } from './fakes.js'

describe('BlockingDetector with a controlled clock', () => {
  let clock = 0
  const detectors: BlockingDetector[] = []
  const make = (options: Partial<ConstructorParameters<typeof BlockingDetector>[0]> = {}) => {
    const reports: BlockedLoopReport[] = []
    const detector = new BlockingDetector(
      { thresholdMs: 100, onBlocked: (report) => reports.push(report), ...options },
      () => clock,
    )
    detectors.push(detector)
    return { detector, reports }
  }
  beforeEach(() => {
    vi.useFakeTimers()
    clock = 1_000
  })
  afterEach(() => {
    for (const detector of detectors.splice(0)) detector.close()
    vi.useRealTimers()
  })

  it('stays quiet while checks run on time or late by less than the threshold', () => {
    const { detector, reports } = make()
    for (const step of [25, 25, 120, 25]) {
      clock += step
      detector.check()
    }
    expect(reports).toEqual([])
  })

  it('reports a check late by at least the threshold, with its duration and the requests in flight', () => {
    const { detector, reports } = make()
    detector.enter({ method: 'GET', route: '/report' })
    detector.enter({ method: 'GET', route: '/report' })
    detector.enter(undefined)
    const finished = detector.enter({ method: 'PUT', route: '/done' })
    detector.leave(finished)
    detector.endedDuringBlock({ method: 'POST', route: '/import', status_code: '200' })
    clock += 25 + 340
    detector.check()
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ durationMs: 340, thresholdMs: 100, inFlight: 3 })
    expect(reports[0]!.requests).toEqual([
      { method: 'GET', route: '/report', count: 2 },
      { method: undefined, route: undefined, count: 1 },
      { method: 'POST', route: '/import', count: 1 },
    ])
    expect(reports[0]!.detectedAt).toBe(Date.now())
  })

  it('reports each block once and forgets requests that ended in it', () => {
    const { detector, reports } = make()
    detector.endedDuringBlock({ method: 'POST', route: '/import', status_code: '200' })
    clock += 500
    detector.check()
    clock += 25
    detector.check()
    clock += 300
    detector.check()
    expect(reports.map((report) => report.durationMs)).toEqual([475, 275])
    expect(reports[1]!.requests).toEqual([])
  })

  it('moves the alarm past which an ending request counts as ending inside a block', () => {
    const { detector } = make({ checkIntervalMs: 10 })
    clock += 10
    detector.check()
    expect(detector.alarmAt).toBe(clock + 10 + 100)
  })

  it('keeps at most 1000 ended-during-block requests per report', () => {
    const { detector, reports } = make()
    for (let index = 0; index < 5_000; index++) {
      detector.endedDuringBlock({ method: 'GET', route: '/many', status_code: '200' })
    }
    clock += 1_000
    detector.check()
    expect(reports[0]!.requests).toEqual([{ method: 'GET', route: '/many', count: 1_000 }])
  })

  it('checks on an unref’d interval derived from the threshold, and close() stops it', () => {
    const timers = vi.getTimerCount()
    const { detector, reports } = make()
    expect(detector.checkIntervalMs).toBe(25)
    expect(vi.getTimerCount()).toBe(timers + 1)
    expect(make({ thresholdMs: 10 }).detector.checkIntervalMs).toBe(5)
    expect(make({ thresholdMs: 1_000 }).detector.checkIntervalMs).toBe(50)
    expect(make({ checkIntervalMs: 3 }).detector.checkIntervalMs).toBe(3)
    detector.close()
    detector.close()
    expect(detector.closed).toBe(true)
    clock += 1_000
    detector.check()
    expect(reports).toEqual([])
    expect(vi.getTimerCount()).toBe(timers + 3)
  })

  it.each([
    [
      { thresholdMs: 0 },
      /thresholdMs must be a number of milliseconds from 1 to 2147483647, got 0/,
    ],
    [{ thresholdMs: '100' }, /thresholdMs must be a number of milliseconds from 1.*got "100"/],
    [{ thresholdMs: 2 ** 31 }, /thresholdMs must be a number of milliseconds from 1 to 2147483647/],
    [{ checkIntervalMs: 0 }, /checkIntervalMs must be a number of milliseconds from 1/],
    [{ onBlocked: 'log' }, /onBlocked must be a function, got "log"/],
    [{ threshold: 100 }, /Unknown option "threshold" in detectBlocking\(\) options/],
  ])('rejects %o', (options, message) => {
    const timers = vi.getTimerCount()
    expect(() => make(options as never)).toThrow(message)
    expect(() => make(options as never)).toThrow(
      expect.objectContaining({ code: 'LOOPWORK_INVALID_OPTION' }),
    )
    expect(vi.getTimerCount()).toBe(timers)
  })

  it('counts each reported block into the totals it was given', () => {
    const totals = new BlockTotals()
    const reports: BlockedLoopReport[] = []
    const detector = new BlockingDetector(
      { thresholdMs: 100, onBlocked: (report) => reports.push(report) },
      () => clock,
      totals,
    )
    detectors.push(detector)
    clock += 25 + 400
    detector.check()
    clock += 25
    detector.check()
    expect(reports).toHaveLength(1)
    expect(totals).toMatchObject({ count: 1, seconds: 0.4 })
  })
})

describe('metrics.detectBlocking()', () => {
  let metrics: Metrics
  afterEach(() => metrics?.close())

  it('is off by default: a block is neither reported nor counted', async () => {
    metrics = createMetrics({ eventLoop: false })
    const end = metrics.startRequest({ method: 'GET', route: '/a' })
    blockLoop(150)
    await sleep(60)
    end({ method: 'GET', route: '/a', status: 200 })
    expect(sample(parseExposition(await metrics.render()), 'eventloop_blocks_total')).toBe(0)
  })

  it('reports a real block with the requests in flight, including the one whose handler blocked', async () => {
    metrics = createMetrics({ eventLoop: false })
    const reports: BlockedLoopReport[] = []
    metrics.detectBlocking({ thresholdMs: 100, onBlocked: (report) => reports.push(report) })
    const running = metrics.startRequest({ method: 'GET', route: '/still-running' })
    await sleep(40)
    const blocker = metrics.startRequest()
    blockLoop(300)
    blocker({ method: 'POST', route: '/import', status: 200 })
    await sleep(120)
    const report = reports.find((candidate) =>
      candidate.requests.some((group) => group.route === '/import'),
    )
    expect(report).toBeDefined()
    expect(report!.durationMs).toBeGreaterThanOrEqual(100)
    expect(report!.requests).toContainEqual({ method: 'GET', route: '/still-running', count: 1 })
    expect(report!.requests).toContainEqual({ method: 'POST', route: '/import', count: 1 })
    running({ method: 'GET', route: '/still-running', status: 200 })
    const parsed = parseExposition(await metrics.render())
    expect(sample(parsed, 'eventloop_blocks_total')).toBeGreaterThanOrEqual(1)
    expect(sample(parsed, 'eventloop_blocked_seconds_total')).toBeGreaterThanOrEqual(0.1)
  })

  it('runs one detector at a time and stops reporting once closed', async () => {
    metrics = createMetrics({ eventLoop: false })
    const reports: BlockedLoopReport[] = []
    const detection = metrics.detectBlocking({
      thresholdMs: 50,
      onBlocked: (report) => reports.push(report),
    })
    expect(detection).toMatchObject({ thresholdMs: 50, checkIntervalMs: 12.5 })
    expect(() => metrics.detectBlocking({ onBlocked: () => {} })).toThrow(DetectorActiveError)
    detection.close()
    blockLoop(150)
    await sleep(60)
    expect(reports).toEqual([])
    const again = metrics.detectBlocking({ onBlocked: () => {} })
    again.close()
  })

  it('rejects a missing onBlocked without starting anything', () => {
    metrics = createMetrics({ eventLoop: false })
    expect(() => metrics.detectBlocking({} as never)).toThrow(
      /onBlocked must be a function, got undefined/,
    )
    expect(() => metrics.detectBlocking({} as never)).toThrow(
      expect.objectContaining({ code: 'LOOPWORK_INVALID_OPTION', option: 'onBlocked' }),
    )
    expect(() => metrics.detectBlocking(undefined as never)).toThrow(/onBlocked must be a function/)
    metrics.detectBlocking({ onBlocked: () => {} }).close()
  })
})
