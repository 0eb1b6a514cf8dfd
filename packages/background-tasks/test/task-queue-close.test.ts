import { afterEach, describe, expect, it, vi } from 'vitest'
import { ClosedError, TaskQueue } from '../src/index.js'
import { deferred, flush } from './helpers/deferred.js'
import { watchUnhandledRejections } from './helpers/unhandled-rejections.js'

const unhandled = watchUnhandledRejections()

afterEach(() => {
  vi.useRealTimers()
})

describe('TaskQueue (in memory): close()', () => {
  it('refuses new jobs at once with ClosedError', async () => {
    const queue = new TaskQueue({ name: 'mail', handlers: { work: () => {} } })
    const closing = queue.close()
    await expect(queue.add('work')).rejects.toBeInstanceOf(ClosedError)
    await expect(queue.add('work')).rejects.toThrow(
      'Task queue "mail" is closed; it accepts no new job',
    )
    expect(await closing).toEqual({ timedOut: false, aborted: [], notStarted: [] })
    expect(queue.stats().closed).toBe(true)
  })

  it('lets running and queued jobs finish within the deadline and resolves once they did', async () => {
    const gate = deferred()
    const finished: number[] = []
    const queue = new TaskQueue({
      handlers: {
        work: async (index: number) => {
          await gate.promise
          finished.push(index)
        },
      },
    })
    for (const index of [1, 2, 3]) await queue.add('work', index)
    let closed = false
    const closing = queue.close({ timeoutMs: 60_000 }).then((report) => {
      closed = true
      return report
    })
    await flush()
    expect(closed).toBe(false)
    gate.resolve()
    expect(await closing).toEqual({ timedOut: false, aborted: [], notStarted: [] })
    expect(finished).toEqual([1, 2, 3])
  })

  it('at the deadline aborts running jobs through their signal, hands back queued ones, and loses none silently', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const signals: AbortSignal[] = []
    const queue = new TaskQueue({
      concurrency: 1,
      handlers: {
        stuck: (_data: { n: number }, job) => {
          signals.push(job.signal)
          return new Promise(() => {})
        },
      },
    })
    const running = await queue.add('stuck', { n: 1 })
    const queued = await queue.add('stuck', { n: 2 })
    const runningResult = queue.result(running)
    const queuedResult = queue.result(queued)
    runningResult.catch(() => {})
    queuedResult.catch(() => {})
    const closing = queue.close({ timeoutMs: 5_000 })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(signals[0]!.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    const report = await closing
    expect(report.timedOut).toBe(true)
    expect(report.aborted).toEqual([
      { id: running, name: 'stuck', data: { n: 1 }, attempt: 1, maxAttempts: 1, priority: 0 },
    ])
    expect(report.notStarted).toEqual([
      { id: queued, name: 'stuck', data: { n: 2 }, attempt: 0, maxAttempts: 1, priority: 0 },
    ])
    expect(signals).toHaveLength(1)
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBeInstanceOf(ClosedError)
    await expect(runningResult).rejects.toThrow(/still running at the close\(\) deadline/)
    await expect(queuedResult).rejects.toThrow(/never started/)
    expect(queue.stats()).toMatchObject({ waiting: 0, running: 0, delayed: 0 })
    await queue.onIdle()
  })

  it('hands back delayed jobs and retries in backoff at once instead of waiting for them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const queue = new TaskQueue({
      retries: 2,
      backoff: { type: 'fixed', delayMs: 60_000 },
      onError: () => {},
      handlers: {
        later: (_when: { at: string }) => 'never',
        flaky: () => {
          throw new Error('retry me')
        },
      },
    })
    const later = await queue.add('later', { at: 'tomorrow' }, { delayMs: 3_600_000 })
    const flaky = await queue.add('flaky')
    await vi.advanceTimersByTimeAsync(0)
    expect(queue.stats()).toMatchObject({ delayed: 2 })
    const report = await queue.close({ timeoutMs: 10_000 })
    expect(report.timedOut).toBe(false)
    expect(report.notStarted.map((job) => [job.id, job.attempt])).toEqual([
      [later, 0],
      [flaky, 1],
    ])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('does not wait for queued jobs of a paused queue', async () => {
    const handler = vi.fn()
    const queue = new TaskQueue({ handlers: { work: handler } })
    queue.pause()
    await queue.add('work', 'a')
    const report = await queue.close({ timeoutMs: 60_000 })
    expect(report).toMatchObject({ timedOut: false, aborted: [] })
    expect(report.notStarted.map((job) => job.data)).toEqual(['a'])
    expect(handler).not.toHaveBeenCalled()
  })

  it('hands back a retry scheduled while closing', async () => {
    const gate = deferred()
    const queue = new TaskQueue({
      retries: 1,
      backoff: { type: 'fixed', delayMs: 1_000 },
      handlers: {
        flaky: async () => {
          await gate.promise
          throw new Error('failed during shutdown')
        },
      },
    })
    await queue.add('flaky')
    const closing = queue.close({ timeoutMs: 60_000 })
    gate.resolve()
    const report = await closing
    expect(report.notStarted.map((job) => job.attempt)).toEqual([1])
    expect(queue.stats()).toMatchObject({ retried: 1, delayed: 0 })
  })

  it('returns the same report to every close() call and ignores the late outcome of an aborted job', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const late = deferred<string>()
    const completed = vi.fn()
    const queue = new TaskQueue({ handlers: { slow: () => late.promise } })
    queue.on('complete', completed)
    await queue.add('slow')
    const first = queue.close({ timeoutMs: 100 })
    const second = queue.close({ timeoutMs: 999_999 })
    expect(second).toBe(first)
    await vi.advanceTimersByTimeAsync(100)
    expect((await first).aborted).toHaveLength(1)
    vi.useRealTimers()
    late.resolve('too late')
    await flush()
    expect(completed).not.toHaveBeenCalled()
    expect(queue.stats().completed).toBe(0)
    expect(await unhandled.reported()).toEqual([])
  })

  it('uses a 10 s deadline by default and rejects a bad one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const queue = new TaskQueue({ handlers: { stuck: () => new Promise(() => {}) } })
    await expect(queue.close({ timeoutMs: -1 })).rejects.toThrow(/timeoutMs must be/)
    await queue.add('stuck')
    const closing = queue.close()
    await vi.advanceTimersByTimeAsync(9_999)
    expect(queue.stats().running).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect((await closing).timedOut).toBe(true)
  })
})
