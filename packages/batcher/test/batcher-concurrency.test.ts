import { describe, expect, it } from 'vitest'
import { AbortError, Batcher, DEFAULT_MAX_WAITING, QueueFullError } from '../src/index.js'
import { flush } from './deferred.js'
import { heldBatchFunction } from './recording-batch-function.js'

describe('concurrency and maxWaiting', () => {
  it('keeps at most concurrency batches running and starts the rest oldest first', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, {
      windowMs: 0,
      maxBatchSize: 2,
      concurrency: 2,
    })
    const loads = Array.from({ length: 8 }, (_, key) => users.load(key))
    await flush()
    expect(calls.map((call) => call.keys)).toEqual([
      [0, 1],
      [2, 3],
    ])
    expect(users.stats()).toMatchObject({ running: 2, waitingBatches: 2, waiting: 4 })
    calls[1]!.release()
    await flush()
    expect(calls.map((call) => call.keys)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ])
    calls[0]!.release()
    await flush()
    expect(calls).toHaveLength(4)
    expect(calls[3]!.keys).toEqual([6, 7])
    calls[2]!.release()
    calls[3]!.release()
    expect(await Promise.all(loads)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(users.stats()).toMatchObject({ running: 0, waitingBatches: 0, waiting: 0 })
  })

  it('while saturated, the collecting batch keeps growing up to maxBatchSize instead of splitting', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, {
      windowMs: 0,
      maxBatchSize: 100,
      concurrency: 1,
    })
    const first = users.load(0)
    await flush()
    const later: Promise<number>[] = []
    for (let tick = 1; tick <= 5; tick++) {
      later.push(users.load(tick))
      await flush()
    }
    expect(calls).toHaveLength(1)
    calls[0]!.release()
    await flush()
    expect(calls.map((call) => call.keys)).toEqual([[0], [1, 2, 3, 4, 5]])
    calls[1]!.release()
    expect(await Promise.all([first, ...later])).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('sheds loads past maxWaiting with a clear error, and accepts them again once keys drain', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, {
      windowMs: 0,
      maxBatchSize: 100,
      concurrency: 1,
      maxWaiting: 250,
      name: 'users',
    })
    const inFlight = Array.from({ length: 100 }, (_, key) => users.load(key))
    await flush()
    expect(calls).toHaveLength(1)
    const waiting = Array.from({ length: 250 }, (_, index) => users.load(1000 + index))
    expect(users.stats().waiting).toBe(250)
    const shed = users.load(5000)
    const error = (await shed.catch((caught: unknown) => caught)) as QueueFullError
    expect(error).toBeInstanceOf(QueueFullError)
    expect(error.code).toBe('LOOPWORK_QUEUE_FULL')
    expect(error.option).toBe('maxWaiting')
    expect(error.limit).toBe(250)
    expect(error.message).toMatch(/Batcher "users" already has maxWaiting \(250\) keys waiting/)
    await expect(users.load(6000, { signal: new AbortController().signal })).rejects.toBeInstanceOf(
      QueueFullError,
    )
    expect(users.stats()).toMatchObject({ rejectedLoads: 2, waiting: 250 })

    calls[0]!.release()
    await flush()
    expect(calls).toHaveLength(2)
    expect(users.stats().waiting).toBe(150)
    const accepted = users.load(7000)
    // One batch at a time: 1100-1199, 1200-1249 (the room maxWaiting left), then 7000.
    for (let released = 1; released < 5; released++) {
      calls[released]!.release()
      await flush()
    }
    expect(calls.map((call) => call.keys.length)).toEqual([100, 100, 100, 50, 1])
    expect(await Promise.all(inFlight)).toHaveLength(100)
    expect(await Promise.all(waiting)).toHaveLength(250)
    expect(await accepted).toBe(7000)
    expect(users.stats()).toMatchObject({ waiting: 0, waitingBatches: 0, running: 0 })
  })

  it('bounds waiting keys by default', () => {
    expect(DEFAULT_MAX_WAITING).toBe(10_000)
  })

  it('a queued batch whose every caller aborts is dropped and its keys no longer count as waiting', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, {
      windowMs: 0,
      maxBatchSize: 2,
      concurrency: 1,
    })
    const first = [users.load(1), users.load(2)]
    const controller = new AbortController()
    const queued = [3, 4].map((key) => users.load(key, { signal: controller.signal }))
    await flush()
    expect(users.stats()).toMatchObject({ waitingBatches: 1, waiting: 2 })
    controller.abort()
    for (const load of queued) await expect(load).rejects.toBeInstanceOf(AbortError)
    expect(users.stats()).toMatchObject({ waitingBatches: 0, waiting: 0 })
    calls[0]!.release()
    await flush()
    expect(calls).toHaveLength(1)
    expect(await Promise.all(first)).toEqual([1, 2])
  })

  it('a key aborted in a queued batch is not sent when the batch starts', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, {
      windowMs: 0,
      maxBatchSize: 2,
      concurrency: 1,
    })
    const first = [users.load(1), users.load(2)]
    const controller = new AbortController()
    const aborted = users.load(3, { signal: controller.signal })
    const kept = users.load(4)
    await flush()
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    expect(users.stats().waiting).toBe(1)
    calls[0]!.release()
    await flush()
    expect(calls[1]!.keys).toEqual([4])
    calls[1]!.release()
    expect(await Promise.all([...first, kept])).toEqual([1, 2, 4])
  })

  it('a failed batch frees its slot for the next one', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, {
      windowMs: 0,
      maxBatchSize: 1,
      concurrency: 1,
    })
    const failing = users.load(1)
    const next = users.load(2)
    await flush()
    calls[0]!.fail(new Error('boom'))
    await expect(failing).rejects.toMatchObject({ name: 'BatchFailedError' })
    await flush()
    calls[1]!.release()
    expect(await next).toBe(2)
    expect(users.stats()).toMatchObject({ failedBatches: 1, batches: 2, running: 0 })
  })
})
