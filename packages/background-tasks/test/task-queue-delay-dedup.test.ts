import { afterEach, describe, expect, it, vi } from 'vitest'
import { TaskQueue } from '../src/index.js'
import { deferred } from './helpers/deferred.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('TaskQueue (in memory): delays', () => {
  it('does not start a delayed job before delayMs and counts it as delayed meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const handler = vi.fn((_data: null) => 'ran')
    const queue = new TaskQueue({ handlers: { remind: handler } })
    const id = await queue.add('remind', null, { delayMs: 60_000 })
    expect(queue.stats()).toMatchObject({ delayed: 1, waiting: 0 })
    await vi.advanceTimersByTimeAsync(59_999)
    expect(handler).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(await queue.result(id)).toBe('ran')
    expect(queue.stats()).toMatchObject({ delayed: 0, completed: 1 })
  })

  it('honours the longest delay a timer can wait instead of firing it after 1 ms', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const handler = vi.fn()
    const queue = new TaskQueue({ handlers: { later: handler } })
    await queue.add('later', null, { delayMs: 2_147_483_647 })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(handler).not.toHaveBeenCalled()
    expect(queue.stats().delayed).toBe(1)
    await expect(queue.add('later', null, { delayMs: 2_147_483_648 })).rejects.toThrow(RangeError)
    expect(queue.stats().delayed).toBe(1)
    expect((await queue.close({ timeoutMs: 0 })).notStarted).toHaveLength(1)
  })

  it('treats delayMs 0 as no delay', async () => {
    const handler = vi.fn()
    const queue = new TaskQueue({ handlers: { now: handler } })
    await queue.add('now', null, { delayMs: 0 })
    expect(queue.stats().delayed).toBe(0)
    await queue.onIdle()
    expect(handler).toHaveBeenCalledOnce()
  })
})

describe('TaskQueue (in memory): jobId deduplication', () => {
  it('enqueues a jobId once while the job is unfinished and answers with the same id', async () => {
    const gate = deferred()
    const handler = vi.fn((_order: { order: number }) => gate.promise)
    const queue = new TaskQueue({ handlers: { charge: handler } })
    const first = await queue.add('charge', { order: 7 }, { jobId: 'charge-7' })
    const again = await queue.add('charge', { order: 7 }, { jobId: 'charge-7' })
    expect(first).toBe('charge-7')
    expect(again).toBe('charge-7')
    gate.resolve()
    await queue.onIdle()
    expect(handler).toHaveBeenCalledOnce()
    expect(queue.stats().completed).toBe(1)
  })

  it('still deduplicates a finished job while it is retained, and not after', async () => {
    const handler = vi.fn()
    const queue = new TaskQueue({ keepCompleted: 1, handlers: { charge: handler } })
    await queue.add('charge', null, { jobId: 'charge-1' })
    await queue.onIdle()
    await queue.add('charge', null, { jobId: 'charge-1' })
    await queue.onIdle()
    expect(handler).toHaveBeenCalledTimes(1)
    // another completed job pushes charge-1 out of the retained results
    await queue.add('charge', null, { jobId: 'charge-2' })
    await queue.onIdle()
    await queue.add('charge', null, { jobId: 'charge-1' })
    await queue.onIdle()
    expect(handler).toHaveBeenCalledTimes(3)
  })

  it('answers a duplicate with its id even when the queue is full', async () => {
    const queue = new TaskQueue({ maxWaiting: 1, handlers: { charge: (_data: null) => {} } })
    queue.pause()
    await queue.add('charge', null, { jobId: 'charge-1' })
    expect(await queue.add('charge', null, { jobId: 'charge-1' })).toBe('charge-1')
    await queue.close({ timeoutMs: 0 })
  })
})
