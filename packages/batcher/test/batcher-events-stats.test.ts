import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  type BatchEvent,
  Batcher,
  type BatcherStats,
  BatchFailedError,
  BatchShapeError,
} from '../src/index.js'

describe('stats() and the batch event', () => {
  it('starts with zeroed stats in the shape the metrics package reads', () => {
    const users = new Batcher(async (keys: readonly number[]) => keys, { name: 'users' })
    const stats: BatcherStats = users.stats()
    expect(stats).toEqual({
      name: 'users',
      batches: 0,
      keys: 0,
      meanBatchSize: 0,
      largestBatch: 0,
      failedBatches: 0,
      waiting: 0,
      waitingBatches: 0,
      running: 0,
      dedupedLoads: 0,
      abortedLoads: 0,
      rejectedLoads: 0,
      meanWaitMs: 0,
      longestWaitMs: 0,
    })
  })

  it('counts batches, keys, mean and largest batch size, waiting keys and running batches', async () => {
    let release: () => void = () => {}
    const users = new Batcher(
      async (keys: readonly number[]) => {
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return keys
      },
      { windowMs: 0 },
    )
    const first = Promise.all([users.load(1), users.load(2), users.load(3)])
    expect(users.stats()).toMatchObject({ waiting: 3, running: 0, batches: 0 })
    await new Promise((resolve) => setImmediate(resolve))
    expect(users.stats()).toMatchObject({ waiting: 0, running: 1, batches: 1, keys: 3 })
    release()
    await first
    const second = users.load(4)
    await new Promise((resolve) => setImmediate(resolve))
    release()
    await second
    expect(users.stats()).toMatchObject({
      batches: 2,
      keys: 4,
      meanBatchSize: 2,
      largestBatch: 3,
      running: 0,
      waiting: 0,
    })
  })

  it("emits 'batch' with name, size and durationMs for each settled batch", async () => {
    const users = new Batcher(async (keys: readonly number[]) => keys, {
      windowMs: 0,
      name: 'users',
    })
    const events: BatchEvent[] = []
    users.on('batch', (event) => events.push(event))
    await Promise.all([users.load(1), users.load(2)])
    expect(events).toHaveLength(1)
    expect(events[0]!.name).toBe('users')
    expect(events[0]!.size).toBe(2)
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(0)
    expect(events[0]!.waitMs).toBeGreaterThanOrEqual(0)
    expect(events[0]).not.toHaveProperty('error')
  })

  it('on() types the listener from the events map', async () => {
    const users = new Batcher(async (keys: readonly number[]) => keys, { windowMs: 0 })
    const sizes: number[] = []
    users.on('batch', (event) => {
      expectTypeOf(event).toEqualTypeOf<BatchEvent>()
      sizes.push(event.size)
    })
    // @ts-expect-error a batch event carries no key
    users.on('batch', ({ key }: { key: number }) => key)
    await users.load(1)
    expect(sizes).toEqual([1])
  })

  it('adds the error to the event of a failed batch, but not for per-key Error values', async () => {
    const failure = new Error('down')
    let mode: 'throw' | 'shape' | 'per-key' = 'throw'
    const users = new Batcher(
      async (keys: readonly number[]) => {
        if (mode === 'throw') throw failure
        if (mode === 'shape') return []
        return keys.map(() => new Error('not found'))
      },
      { windowMs: 0 },
    )
    const events: BatchEvent[] = []
    users.on('batch', (event) => events.push(event))
    await users.load(1).catch(() => {})
    mode = 'shape'
    await users.load(1).catch(() => {})
    mode = 'per-key'
    await users.load(1).catch(() => {})
    expect(events[0]!.error).toBeInstanceOf(BatchFailedError)
    expect(events[0]!.error!.cause).toBe(failure)
    expect(events[1]!.error).toBeInstanceOf(BatchShapeError)
    expect(events[2]).not.toHaveProperty('error')
    expect(users.stats().failedBatches).toBe(2)
  })

  it('stops emitting to a listener once it is removed', async () => {
    const users = new Batcher(async (keys: readonly number[]) => keys, { windowMs: 0 })
    const sizes: number[] = []
    const listener = ({ size }: BatchEvent) => sizes.push(size)
    users.on('batch', listener)
    await users.load(1)
    users.off('batch', listener)
    await users.load(2)
    expect(sizes).toEqual([1])
  })
})
