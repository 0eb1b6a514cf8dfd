import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Batcher, DEFAULT_WINDOW_MS } from '../src/index.js'
import { recordingBatchFunction } from './recording-batch-function.js'

describe('time window (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('collects keys for 10 ms by default, counted from the first key', async () => {
    expect(DEFAULT_WINDOW_MS).toBe(10)
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction)
    const first = users.load(1)
    await vi.advanceTimersByTimeAsync(5)
    const second = users.load(2)
    await vi.advanceTimersByTimeAsync(4)
    expect(calls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls.map((call) => call.keys)).toEqual([[1, 2]])
    expect(await Promise.all([first, second])).toEqual([1, 2])
  })

  it('later keys never move the window: a key at 9 ms is dispatched at 10 ms', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 10 })
    void users.load(1)
    for (let elapsed = 1; elapsed < 10; elapsed++) {
      await vi.advanceTimersByTimeAsync(1)
      void users.load(elapsed + 1)
    }
    expect(calls).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.keys).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('a key after dispatch opens a new batch with its own window', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 10 })
    void users.load(1)
    await vi.advanceTimersByTimeAsync(12)
    void users.load(2)
    await vi.advanceTimersByTimeAsync(9)
    expect(calls.map((call) => call.keys)).toEqual([[1]])
    await vi.advanceTimersByTimeAsync(1)
    expect(calls.map((call) => call.keys)).toEqual([[1], [2]])
  })

  it('arms one timer per batch, never one per load, and none once dispatched', async () => {
    const { batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 10 })
    expect(vi.getTimerCount()).toBe(0)
    for (let key = 0; key < 500; key++) void users.load(key)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(10)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('dispatches a full batch at once, without waiting for the window, and clears its timer', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 10_000, maxBatchSize: 3 })
    const loads = [users.load(1), users.load(2), users.load(3)]
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(0)
    expect(calls.map((call) => call.keys)).toEqual([[1, 2, 3]])
    expect(await Promise.all(loads)).toEqual([1, 2, 3])
    void users.load(4)
    expect(vi.getTimerCount()).toBe(1)
  })

  it('measures how long each batch waited from its first key (stats and event)', async () => {
    const { batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 10 })
    const waits: number[] = []
    users.on('batch', ({ waitMs }) => waits.push(waitMs))
    void users.load(1)
    await vi.advanceTimersByTimeAsync(20)
    void users.load(2)
    await vi.advanceTimersByTimeAsync(20)
    expect(waits).toEqual([10, 10])
    expect(users.stats()).toMatchObject({ meanWaitMs: 10, longestWaitMs: 10, batches: 2 })
  })

  it('reports the batch function duration in the batch event', async () => {
    const users = new Batcher(
      async (keys: readonly number[]) => {
        await new Promise((resolve) => setTimeout(resolve, 25))
        return keys
      },
      { windowMs: 10 },
    )
    const durations: number[] = []
    users.on('batch', ({ durationMs, size }) => durations.push(durationMs, size))
    const value = users.load(7)
    await vi.advanceTimersByTimeAsync(35)
    expect(await value).toBe(7)
    expect(durations).toEqual([25, 1])
  })
})
