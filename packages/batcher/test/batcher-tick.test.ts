import { describe, expect, it } from 'vitest'
import { Batcher } from '../src/index.js'
import { flush } from './deferred.js'
import { recordingBatchFunction } from './recording-batch-function.js'

describe('windowMs: 0 (end of the current tick, like DataLoader)', () => {
  it('batches loads of one turn, including those made in promise continuations of that turn', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const loads = [users.load(1)]
    const continuation = Promise.resolve()
      .then(() => loads.push(users.load(2)))
      .then(() => loads.push(users.load(3)))
    loads.push(users.load(4))
    await continuation
    await flush()
    expect(calls.map((call) => call.keys)).toEqual([[1, 4, 2, 3]])
    expect(await Promise.all(loads)).toEqual([1, 4, 2, 3])
  })

  it('loads in different macrotasks go to different batches', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const first = users.load(1)
    await flush()
    const second = users.load(2)
    await flush()
    expect(calls.map((call) => call.keys)).toEqual([[1], [2]])
    expect(await Promise.all([first, second])).toEqual([1, 2])
  })

  it('dispatches before any timer or I/O callback of the same turn runs', async () => {
    const order: string[] = []
    const users = new Batcher(
      async (keys: readonly number[]) => {
        order.push('batch')
        return keys
      },
      { windowMs: 0 },
    )
    setTimeout(() => order.push('timer'), 0)
    setImmediate(() => order.push('immediate'))
    void users.load(1)
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(order[0]).toBe('batch')
  })

  it('awaiting between loads does not prevent batching when the awaited promise is already settled', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const resolved = Promise.resolve()
    const results = await Promise.all(
      [1, 2, 3].map(async (key) => {
        await resolved
        return users.load(key)
      }),
    )
    expect(results).toEqual([1, 2, 3])
    expect(calls).toHaveLength(1)
  })

  it('several batchers opening batches in one turn each send their own keys, in the order the batches opened', async () => {
    const sent: string[] = []
    const named = (name: string) =>
      new Batcher(
        async (keys: readonly number[]) => {
          sent.push(`${name}:${keys.join(',')}`)
          return keys.map((key) => key * 2)
        },
        { windowMs: 0, maxBatchSize: 2, name },
      )
    const [a, b, c] = [named('a'), named('b'), named('c')]
    for (let turn = 0; turn < 2; turn++) {
      const base = turn * 1000
      const loads = [a.load(base + 1), b.load(base + 10), a.load(base + 2)]
      // a's first batch is full: a's next load opens a second batch, behind b's and c's.
      loads.push(c.load(base + 100), a.load(base + 3))
      await Promise.resolve().then(() => loads.push(b.load(base + 11)))
      expect(await Promise.all(loads)).toEqual(
        [1, 10, 2, 100, 3, 11].map((key) => (base + key) * 2),
      )
      expect(sent.splice(0)).toEqual([
        `a:${base + 1},${base + 2}`,
        `b:${base + 10},${base + 11}`,
        `c:${base + 100}`,
        `a:${base + 3}`,
      ])
    }
  })

  it('10,000 concurrent loads with maxBatchSize 100 make exactly 100 batch calls', async () => {
    for (const windowMs of [0, 10]) {
      const { calls, batchFunction } = recordingBatchFunction((key: number) => key * 2)
      const users = new Batcher(batchFunction, { windowMs, maxBatchSize: 100 })
      const loads = Array.from({ length: 10_000 }, (_, key) => users.load(key))
      const values = await Promise.all(loads)
      expect(calls).toHaveLength(100)
      expect(calls.every((call) => call.keys.length === 100)).toBe(true)
      expect(values.every((value, key) => value === key * 2)).toBe(true)
      expect(users.stats()).toMatchObject({
        batches: 100,
        keys: 10_000,
        meanBatchSize: 100,
        largestBatch: 100,
        waiting: 0,
        running: 0,
      })
    }
  })
})
