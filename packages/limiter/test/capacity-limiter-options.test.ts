import { afterEach, describe, expect, it, vi } from 'vitest'
import { CapacityLimiter } from '../src/index.js'

const INVALID_OPTION = 'LOOPWORK_INVALID_OPTION'

/** What `fn` threw, or the rejection of the promise it returned. */
async function failureOf(fn: () => unknown): Promise<Error & { code?: string; option?: string }> {
  try {
    await fn()
  } catch (error) {
    return error as Error & { code?: string; option?: string }
  }
  throw new Error('expected a failure')
}

describe('constructor options', () => {
  it.each([
    [0, RangeError],
    [-1, RangeError],
    [1.5, RangeError],
    [Number.NaN, RangeError],
    ['4', TypeError],
    [null, TypeError],
  ])('rejects totalTokens %s with a %o naming the option and the value', (value, type) => {
    expect(() => new CapacityLimiter({ totalTokens: value as number })).toThrow(type)
    expect(() => new CapacityLimiter({ totalTokens: value as number })).toThrow(
      new RegExp(
        `totalTokens must be an integer from 1 .*, or Infinity, got ${value === '4' ? '"4"' : String(value)}`,
      ),
    )
  })

  it('accepts Infinity tokens and 0 or Infinity maxWaiting', () => {
    expect(new CapacityLimiter({ totalTokens: Number.POSITIVE_INFINITY }).totalTokens).toBe(
      Number.POSITIVE_INFINITY,
    )
    expect(new CapacityLimiter({ maxWaiting: 0 }).maxWaiting).toBe(0)
    expect(new CapacityLimiter({ maxWaiting: Number.POSITIVE_INFINITY }).maxWaiting).toBe(
      Number.POSITIVE_INFINITY,
    )
  })

  it('treats a key set to undefined as left out', () => {
    const limiter = new CapacityLimiter({ totalTokens: undefined, name: undefined })
    expect(limiter.totalTokens).toBe(40)
    expect(limiter.name).toBe('limiter')
  })

  it('rejects a negative or fractional maxWaiting', () => {
    expect(() => new CapacityLimiter({ maxWaiting: -1 })).toThrow(
      /maxWaiting must be an integer from 0 .*, or Infinity, got -1/,
    )
    expect(() => new CapacityLimiter({ maxWaiting: 0.5 })).toThrow(RangeError)
  })

  it('rejects a name that is not a non-empty string', () => {
    expect(() => new CapacityLimiter({ name: 3 as unknown as string })).toThrow(
      /name must be a non-empty string, got 3/,
    )
    expect(() => new CapacityLimiter({ name: '' })).toThrow(TypeError)
  })

  it('rejects a misspelled option, naming it and the closest known name', async () => {
    const error = await failureOf(
      () => new CapacityLimiter({ totlTokens: 4 } as unknown as { totalTokens: number }),
    )
    expect(error).toBeInstanceOf(TypeError)
    expect(error.code).toBe(INVALID_OPTION)
    expect(error.option).toBe('totlTokens')
    expect(error.message).toMatch(/Unknown option "totlTokens".*did you mean "totalTokens"/)
  })

  it('rejects options that are not an object, such as a bare token count', async () => {
    const error = await failureOf(() => new CapacityLimiter(40 as unknown as { totalTokens: 40 }))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.code).toBe(INVALID_OPTION)
    expect(error.message).toMatch(/CapacityLimiter options must be an options object, got 40/)
  })

  it('rejects an invalid runtime resize and keeps the old size', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 2, maxWaiting: 5 })
    const error = await failureOf(() => {
      limiter.totalTokens = 0
    })
    expect(error).toBeInstanceOf(RangeError)
    expect(error).toMatchObject({ code: INVALID_OPTION, option: 'totalTokens' })
    expect(limiter.totalTokens).toBe(2)
    expect(() => {
      limiter.maxWaiting = -1
    }).toThrow(/maxWaiting/)
    expect(limiter.maxWaiting).toBe(5)
  })
})

describe('per-call options', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('rejects a negative timeoutMs at the call without queueing anything', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const lease = limiter.tryAcquire()!
    await expect(limiter.acquire({ timeoutMs: -5 })).rejects.toThrow(
      /timeoutMs must be a number of milliseconds from 0 to 2147483647, or Infinity for no limit, got -5/,
    )
    expect(limiter.waiting).toBe(0)
    lease.release()
  })

  it('rejects a timeoutMs beyond the timer range with a RangeError naming the maximum', async () => {
    vi.useFakeTimers()
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const lease = limiter.tryAcquire()!
    const outcome = limiter.acquire({ timeoutMs: 3e9 }).catch((error: unknown) => error)
    // A timer would fire a delay this long after 1 ms; the call must fail for its option instead.
    vi.advanceTimersByTime(5)
    const error = (await outcome) as Error & { code?: string; option?: string }
    expect(error).toBeInstanceOf(RangeError)
    expect(error).toMatchObject({ code: INVALID_OPTION, option: 'timeoutMs' })
    expect(error.message).toMatch(/2147483647/)
    expect(limiter.waiting).toBe(0)
    expect(limiter.stats().timedOut).toBe(0)
    lease.release()
  })

  it('takes timeoutMs: Infinity as no time limit and starts no timer', async () => {
    vi.useFakeTimers()
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const lease = limiter.tryAcquire()!
    const waiting = limiter.acquire({ timeoutMs: Number.POSITIVE_INFINITY })
    const running = limiter.run(() => 'ran', { timeoutMs: Number.POSITIVE_INFINITY })
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(2 ** 31)
    expect(limiter.waiting).toBe(2)
    lease.release()
    ;(await waiting).release()
    expect(await running).toBe('ran')
    expect(limiter.stats().timedOut).toBe(0)
  })

  it('accepts timeoutMs up to 2147483647 and times out then', async () => {
    vi.useFakeTimers()
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const lease = limiter.tryAcquire()!
    const outcome = limiter.acquire({ timeoutMs: 2_147_483_647 }).catch((error: unknown) => error)
    vi.advanceTimersByTime(2_147_483_646)
    expect(limiter.waiting).toBe(1)
    vi.advanceTimersByTime(1)
    expect(await outcome).toMatchObject({ code: 'LOOPWORK_TIMEOUT', timeoutMs: 2_147_483_647 })
    lease.release()
  })

  it('rejects a misspelled or wrongly typed option of run, acquire, acquireOnBehalfOf and wrap', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const lease = limiter.tryAcquire()!
    let started = false
    const task = () => {
      started = true
    }
    const cases: [() => unknown, string, RegExp][] = [
      [
        () => limiter.acquire({ signal: 'x' as unknown as AbortSignal }),
        'signal',
        /signal must be an AbortSignal, got "x"/,
      ],
      [
        () => limiter.run(task, { timeout: 5 } as never),
        'timeout',
        /Unknown option "timeout" in run\(\) options \(did you mean "timeoutMs"\?\)/,
      ],
      [
        () => limiter.run(task, { sigal: AbortSignal.timeout(10) } as never),
        'sigal',
        /did you mean "signal"/,
      ],
      [
        () => limiter.acquireOnBehalfOf({}, { timeOutMs: 1 } as never),
        'timeOutMs',
        /did you mean "timeoutMs"/,
      ],
      [() => limiter.wrap(task, { timeoutMs: '5' as never }), 'timeoutMs', /got "5"/],
      [() => limiter.wrap(task, { signl: undefined } as never), 'signl', /did you mean "signal"/],
      [() => limiter.run(task, 5 as never), 'run() options', /must be an options object/],
    ]
    for (const [call, option, message] of cases) {
      const error = await failureOf(call)
      expect(error, option).toBeInstanceOf(TypeError)
      expect(error, option).toMatchObject({ code: INVALID_OPTION, option })
      expect(error.message, option).toMatch(message)
    }
    expect(started).toBe(false)
    expect(limiter.waiting).toBe(0)
    expect(limiter.borrowedTokens).toBe(1)
    lease.release()
  })

  it('rejects a task, a wrapped function or a borrower of the wrong kind', async () => {
    const limiter = new CapacityLimiter()
    await expect(limiter.run('work' as never)).rejects.toMatchObject({
      code: INVALID_OPTION,
      option: 'run() task',
    })
    expect(() => limiter.wrap(undefined as never)).toThrow(/wrap\(\) fn must be a function/)
    await expect(limiter.acquireOnBehalfOf('request' as never)).rejects.toThrow(
      /borrower must be an object or a symbol, got "request"/,
    )
    expect(limiter.borrowedTokens).toBe(0)
  })
})
