import { afterEach, describe, expect, it, vi } from 'vitest'
import { createErrorLog } from '../../src/index.js'
import { ServiceTime } from '../../src/internal/admission/service-time.js'

describe('createErrorLog()', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  function recorder() {
    const lines: [string, unknown][] = []
    return { lines, write: (message: string, error?: unknown) => lines.push([message, error]) }
  }

  it('writes a flood of one error once, then one line with the count when the window ends', () => {
    vi.useFakeTimers()
    const { lines, write } = recorder()
    const log = createErrorLog({ windowMs: 5_000, write })
    const failure = new Error('database unreachable')
    for (let request = 0; request < 1_000; request++) log.report('request failed', failure)
    expect(lines).toEqual([['request failed', failure]])
    vi.advanceTimersByTime(5_000)
    expect(lines).toEqual([
      ['request failed', failure],
      [
        'request failed (the same error 999 more times within 5 s: Error: database unreachable)',
        undefined,
      ],
    ])
    // A new window writes the error in full again.
    log.report('request failed', failure)
    expect(lines).toHaveLength(3)
    expect(lines[2]).toEqual(['request failed', failure])
  })

  it('tells errors apart by message and stack, and by the line they are reported with', () => {
    vi.useFakeTimers()
    const { lines, write } = recorder()
    const log = createErrorLog({ write })
    // Thrown from one place: the same stack.
    const [first, sameKind, otherMessage] = ['timeout', 'timeout', 'refused'].map(
      (message) => new Error(message),
    )
    log.report('query failed', first)
    log.report('query failed', sameKind)
    log.report('query failed', otherMessage)
    log.report('task failed', first)
    log.report('query failed', 'a thrown string')
    log.report('query failed', 'a thrown string')
    expect(lines.map(([message, error]) => [message, error])).toEqual([
      ['query failed', first],
      ['query failed', otherMessage],
      ['task failed', first],
      ['query failed', 'a thrown string'],
    ])
    vi.advanceTimersByTime(10_000)
    expect(lines.slice(4).map(([message]) => message)).toEqual([
      'query failed (the same error 1 more time within 10 s: Error: timeout)',
      'query failed (the same error 1 more time within 10 s: "a thrown string")',
    ])
  })

  it('its window timer never keeps the process alive, and flush() writes the counts at once', () => {
    const { lines, write } = recorder()
    const unref = vi.spyOn(globalThis, 'setTimeout')
    const log = createErrorLog({ windowMs: 60_000, write })
    for (const error of [1, 2].map(() => new Error('x'))) log.report('failed', error)
    const timer = unref.mock.results.at(-1)?.value as NodeJS.Timeout
    expect(timer.hasRef()).toBe(false)
    unref.mockRestore()
    log.flush()
    expect(lines.map(([message]) => message)).toEqual([
      'failed',
      'failed (the same error 1 more time within 60 s: Error: x)',
    ])
    log.flush()
    expect(lines).toHaveLength(2)
  })

  it('writes every error of a flood of distinct ones rather than tracking without bound', () => {
    vi.useFakeTimers()
    const { lines, write } = recorder()
    const log = createErrorLog({ write })
    for (let id = 0; id < 500; id++) log.report('failed', `order ${id} rejected`)
    for (let id = 0; id < 500; id++) log.report('failed', `order ${id} rejected`)
    // The first 100 kinds are counted; the others are written each time.
    expect(lines).toHaveLength(500 + 400)
    vi.advanceTimersByTime(10_000)
    expect(lines).toHaveLength(900 + 100)
  })

  it('a writer that throws does not stop the summaries of the others, nor escape the timer', () => {
    vi.useFakeTimers()
    const written: string[] = []
    const log = createErrorLog({
      write: (message) => {
        written.push(message)
        if (message.startsWith('first (')) throw new Error('logger down')
      },
    })
    for (const error of [1, 2].map(() => new Error('1'))) {
      log.report('first', error)
      log.report('second', error)
    }
    expect(() => vi.advanceTimersByTime(10_000)).not.toThrow()
    expect(written).toEqual([
      'first',
      'second',
      'first (the same error 1 more time within 10 s: Error: 1)',
      'second (the same error 1 more time within 10 s: Error: 1)',
    ])
  })
})

describe('the service time of a limiter', () => {
  it('starts at the first request, then follows the recent ones, each new one weighing 1/5', () => {
    const serviceTime = new ServiceTime()
    expect(serviceTime.estimateMs).toBeUndefined()
    serviceTime.record(100)
    expect(serviceTime.estimateMs).toBe(100)
    serviceTime.record(600)
    expect(serviceTime.estimateMs).toBe(200)
    for (let request = 0; request < 50; request++) serviceTime.record(1_000)
    expect(serviceTime.estimateMs).toBeCloseTo(1_000, 0)
    serviceTime.record(-5)
    expect(serviceTime.estimateMs).toBeCloseTo(800, 0)
  })
})
