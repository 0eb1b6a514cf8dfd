import { AsyncLocalStorage } from 'node:async_hooks'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  DEFAULT_BACKOFF,
  JobFailedError,
  JobNotFoundError,
  TaskQueue,
  TimeoutError,
  UnrecoverableJobError,
} from '../src/index.js'
import { backoffDelay, resolveBackoff } from '../src/internal/backoff.js'
import { deferred, flush } from './helpers/deferred.js'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })

describe('backoff', () => {
  it('follows BullMQ’s formulas: fixed, and exponential doubling from delayMs, capped at maxDelayMs', () => {
    const fixed = resolveBackoff({ type: 'fixed', delayMs: 250 })
    expect([1, 2, 3].map((attempt) => backoffDelay(fixed, attempt))).toEqual([250, 250, 250])
    const exponential = resolveBackoff({ type: 'exponential', delayMs: 100, maxDelayMs: 500 })
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(exponential, attempt))).toEqual([
      100, 200, 400, 500, 500,
    ])
  })

  it('full jitter picks a wait between 0 and the computed delay; a fraction jitters only that part', () => {
    const full = resolveBackoff({ type: 'exponential', delayMs: 100, jitter: true })
    const random = vi.spyOn(Math, 'random')
    random.mockReturnValue(0)
    expect(backoffDelay(full, 3)).toBe(0)
    random.mockReturnValue(0.5)
    expect(backoffDelay(full, 3)).toBe(200)
    random.mockReturnValue(0.999)
    expect(backoffDelay(full, 3)).toBe(399)
    const half = resolveBackoff({ type: 'fixed', delayMs: 1_000, jitter: 0.5 })
    random.mockReturnValue(0)
    expect(backoffDelay(half, 1)).toBe(500)
    random.mockReturnValue(0.999)
    expect(backoffDelay(half, 1)).toBe(999)
  })

  it('defaults to exponential from 1 s with full jitter, capped at 5 minutes', () => {
    expect(DEFAULT_BACKOFF).toEqual({
      type: 'exponential',
      delayMs: 1_000,
      jitter: 1,
      maxDelayMs: 300_000,
    })
  })

  it('rejects bad backoff options naming the field', () => {
    expect(() => resolveBackoff({ type: 'linear' as 'fixed', delayMs: 1 })).toThrow(
      /backoff.type must be one of "fixed", "exponential", got "linear"/,
    )
    expect(() => resolveBackoff({ type: 'fixed', delayMs: Number.NaN })).toThrow(
      /backoff.delayMs must be a number of milliseconds from 0 to 2147483647/,
    )
    expect(() => resolveBackoff({ type: 'fixed' } as { type: 'fixed'; delayMs: number })).toThrow(
      /backoff.delayMs must be a number of milliseconds \(required\)/,
    )
    expect(() => resolveBackoff({ delayMs: 1 } as { type: 'fixed'; delayMs: number })).toThrow(
      /backoff.type must be 'fixed' or 'exponential', got undefined/,
    )
    expect(() => resolveBackoff({ type: 'fixed', delayMs: 1, jitter: 2 })).toThrow(
      /backoff.jitter must be true, false or a number from 0 to 1, got 2/,
    )
    expect(() => resolveBackoff({ type: 'fixed', delayMs: 1, maxDelayMs: -1 })).toThrow(
      /backoff.maxDelayMs/,
    )
  })
})

describe('TaskQueue (in memory): retries, timeouts and dead letters', () => {
  it('retries a failing job after the backoff, emitting retry with the error and the delay', async () => {
    fakeTimers()
    let calls = 0
    const queue = new TaskQueue({
      retries: 3,
      backoff: { type: 'exponential', delayMs: 100 },
      handlers: {
        flaky: (_data: null, job) => {
          calls++
          if (job.attempt < 4) throw new Error(`attempt ${job.attempt}`)
          return job.attempt
        },
      },
    })
    const retrying = vi.fn()
    queue.on('retry', retrying)
    const id = await queue.add('flaky')
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toBe(1)
    expect(queue.stats()).toMatchObject({ delayed: 1, retried: 1 })
    await vi.advanceTimersByTimeAsync(99)
    expect(calls).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls).toBe(2)
    await vi.advanceTimersByTimeAsync(200)
    expect(calls).toBe(3)
    await vi.advanceTimersByTimeAsync(400)
    expect(calls).toBe(4)
    expect(await queue.result(id)).toBe(4)
    expect(
      retrying.mock.calls.map(([{ job, error, delayMs }]) => [
        job.attempt,
        (error as Error).message,
        delayMs,
      ]),
    ).toEqual([
      [1, 'attempt 1', 100],
      [2, 'attempt 2', 200],
      [3, 'attempt 3', 400],
    ])
    expect(queue.stats()).toMatchObject({ completed: 1, failed: 0, retried: 3, delayed: 0 })
  })

  it('retries at once when the backoff is 0', async () => {
    let calls = 0
    const queue = new TaskQueue({
      retries: 1,
      backoff: { type: 'fixed', delayMs: 0 },
      handlers: {
        flaky: () => {
          calls++
          if (calls === 1) throw new Error('first')
          return 'second'
        },
      },
    })
    const id = await queue.add('flaky')
    expect(await queue.result(id)).toBe('second')
  })

  it('a job that used up its attempts goes to the dead letters, onError and the fail event, and result() rejects with JobFailedError', async () => {
    const onError = vi.fn()
    const failedEvent = vi.fn()
    const failure = new Error('smtp down')
    const queue = new TaskQueue({
      name: 'mail',
      retries: 1,
      backoff: { type: 'fixed', delayMs: 0 },
      onError,
      handlers: {
        sendEmail: async (_mail: { to: string }) => {
          throw failure
        },
      },
    })
    queue.on('fail', failedEvent)
    const id = await queue.add('sendEmail', { to: 'a@b.c' })
    const outcome = queue.result(id)
    await expect(outcome).rejects.toBeInstanceOf(JobFailedError)
    await expect(outcome).rejects.toMatchObject({
      code: 'LOOPWORK_JOB_FAILED',
      jobId: id,
      jobName: 'sendEmail',
      attempts: 2,
      cause: failure,
      message: 'Job "sendEmail" (id 1) failed after 2 attempts: smtp down',
    })
    // answered from the dead letters after the fact too
    await expect(queue.result(id)).rejects.toMatchObject({ cause: failure })
    expect(onError).toHaveBeenCalledOnce()
    expect(onError.mock.calls[0]![0]).toBe(failure)
    expect(onError.mock.calls[0]![1]).toMatchObject({ id, name: 'sendEmail', attempt: 2 })
    expect(failedEvent).toHaveBeenCalledOnce()
    expect(failedEvent).toHaveBeenCalledWith({
      job: expect.objectContaining({ id, name: 'sendEmail', attempt: 2 }),
      error: failure,
    })
    const letters = await queue.deadLetters()
    expect(letters).toEqual([
      {
        id,
        name: 'sendEmail',
        data: { to: 'a@b.c' },
        attempts: 2,
        error: failure,
        failedAt: expect.any(Number),
      },
    ])
    expect(queue.stats()).toMatchObject({ failed: 1, retried: 1, deadLetters: 1 })
  })

  it('logs a final failure with the job and queue names when nobody handles it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const failure = new Error('boom')
    const queue = new TaskQueue({
      name: 'mail',
      handlers: {
        sendEmail: () => {
          throw failure
        },
      },
    })
    await queue.add('sendEmail')
    await queue.onIdle()
    expect(log).toHaveBeenCalledWith(
      '[loopwork] job "sendEmail" (id 1) of queue "mail" failed:',
      failure,
    )
  })

  it('keeps only maxDeadLetters dead letters, dropping the oldest', async () => {
    const queue = new TaskQueue({
      maxDeadLetters: 2,
      onError: () => {},
      handlers: {
        fail: (label: string) => {
          throw new Error(label)
        },
      },
    })
    for (const label of ['a', 'b', 'c']) await queue.add('fail', label)
    await queue.onIdle()
    expect((await queue.deadLetters()).map((letter) => letter.data)).toEqual(['b', 'c'])
    expect(queue.stats()).toMatchObject({ failed: 3, deadLetters: 2 })
    await expect(queue.result('1')).rejects.toBeInstanceOf(JobNotFoundError)
  })

  it('keeps only keepCompleted finished results, dropping the oldest', async () => {
    const queue = new TaskQueue({ keepCompleted: 2, handlers: { echo: (value: number) => value } })
    const ids = []
    for (const value of [1, 2, 3]) ids.push(await queue.add('echo', value))
    await queue.onIdle()
    await expect(queue.result(ids[0]!)).rejects.toBeInstanceOf(JobNotFoundError)
    expect(await queue.result(ids[1]!)).toBe(2)
    expect(await queue.result(ids[2]!)).toBe(3)
  })

  it('wraps a non-Error failure for the dead letters but reports the original value', async () => {
    const onError = vi.fn()
    const queue = new TaskQueue({
      onError,
      handlers: {
        fail: () => {
          throw 'plain string'
        },
      },
    })
    await queue.add('fail')
    await queue.onIdle()
    expect(onError.mock.calls[0]![0]).toBe('plain string')
    const [letter] = await queue.deadLetters()
    expect(letter!.error).toBeInstanceOf(Error)
    expect(letter!.error.message).toBe('plain string')
  })

  it('fails a job at once, retries left or not, when its handler throws UnrecoverableJobError', async () => {
    const handler = vi.fn(() => {
      throw new UnrecoverableJobError('invalid address')
    })
    const queue = new TaskQueue({ retries: 5, onError: () => {}, handlers: { sendEmail: handler } })
    const id = await queue.add('sendEmail')
    await expect(queue.result(id)).rejects.toMatchObject({ attempts: 1 })
    expect(handler).toHaveBeenCalledOnce()
    expect(queue.stats()).toMatchObject({ failed: 1, retried: 0 })
  })

  it('fails an attempt past timeoutMs with TimeoutError, aborts its signal, frees its slot and retries', async () => {
    fakeTimers()
    const signals: AbortSignal[] = []
    const attempts: number[] = []
    const queue = new TaskQueue({
      timeoutMs: 1_000,
      retries: 1,
      backoff: { type: 'fixed', delayMs: 0 },
      handlers: {
        slow: (_data: null, job) => {
          signals.push(job.signal)
          attempts.push(job.attempt)
          return job.attempt === 1 ? new Promise(() => {}) : 'fast enough'
        },
        other: () => 'ran',
      },
    })
    const retrying = vi.fn()
    queue.on('retry', retrying)
    const slow = await queue.add('slow')
    const other = await queue.add('other')
    await vi.advanceTimersByTimeAsync(999)
    expect(signals[0]!.aborted).toBe(false)
    expect(queue.stats()).toMatchObject({ running: 1, waiting: 1 })
    await vi.advanceTimersByTimeAsync(1)
    const error = retrying.mock.calls[0]![0].error
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toMatchObject({ code: 'LOOPWORK_TIMEOUT', timeoutMs: 1_000 })
    expect(error.message).toBe(
      'Job "slow" (id 1) of task queue "tasks" did not finish within timeoutMs (1000 ms)',
    )
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBe(error)
    // the slot was freed although the first attempt never settled
    expect(await queue.result(other)).toBe('ran')
    expect(await queue.result(slow)).toBe('fast enough')
    expect(attempts).toEqual([1, 2])
    expect(signals[1]!.aborted).toBe(false)
  })

  it('clears the timeout timer of an attempt that finishes in time', async () => {
    fakeTimers()
    const queue = new TaskQueue({ timeoutMs: 1_000, handlers: { quick: async () => 'ok' } })
    const id = await queue.add('quick')
    expect(await queue.result(id)).toBe('ok')
    expect(vi.getTimerCount()).toBe(0)
  })

  // Real timers: fake ones call back in the context of whoever advances them, real ones keep the
  // context they were set in, which is what this checks.
  it('keeps the caller’s AsyncLocalStorage context on retries and after delays', async () => {
    const storage = new AsyncLocalStorage<string>()
    const seen: (string | undefined)[] = []
    const queue = new TaskQueue({
      retries: 1,
      backoff: { type: 'fixed', delayMs: 5 },
      onError: () => {},
      handlers: {
        flaky: async (_data: null, job) => {
          seen.push(`attempt ${job.attempt}: ${storage.getStore()}`)
          await flush()
          if (job.attempt === 1) throw new Error('retry me')
        },
        later: () => void seen.push(`delayed: ${storage.getStore()}`),
      },
    })
    await storage.run('request-1', () => queue.add('flaky'))
    await storage.run('request-2', () => queue.add('later', undefined, { delayMs: 5 }))
    await storage.run('elsewhere', () => queue.onIdle())
    expect(seen.sort()).toEqual([
      'attempt 1: request-1',
      'attempt 2: request-1',
      'delayed: request-2',
    ])
  })

  it('ignores a late outcome of an attempt that already timed out', async () => {
    fakeTimers()
    const late = deferred<string>()
    const queue = new TaskQueue({
      timeoutMs: 100,
      onError: () => {},
      handlers: { slow: () => late.promise },
    })
    const id = await queue.add('slow')
    await vi.advanceTimersByTimeAsync(100)
    await expect(queue.result(id)).rejects.toMatchObject({ cause: expect.any(TimeoutError) })
    late.resolve('too late')
    await flush()
    expect(queue.stats()).toMatchObject({ completed: 0, failed: 1 })
  })
})
