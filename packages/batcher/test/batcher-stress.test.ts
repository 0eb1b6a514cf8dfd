import { getEventListeners } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import {
  AbortError,
  Batcher,
  BatchFailedError,
  type BatchFunctionContext,
  QueueFullError,
} from '../src/index.js'

function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
}

describe('stress', () => {
  it('50k loads with random aborts, per-key errors, failing batches and a concurrency cap keep every invariant', async () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const timersBefore = timers()
    const maxBatchSize = 64
    const concurrency = 3
    let inFlight = 0
    let peak = 0
    let duplicateKeys = 0
    let oversized = 0
    const users = new Batcher(
      async (keys: readonly number[], { signal }: BatchFunctionContext) => {
        inFlight++
        peak = Math.max(peak, inFlight)
        if (new Set(keys).size !== keys.length) duplicateKeys++
        if (keys.length > maxBatchSize) oversized++
        await new Promise((resolve) => setImmediate(resolve))
        inFlight--
        if (random() < 0.02 && !signal.aborted) throw new Error('batch failure')
        return keys.map((key) => (key % 97 === 0 ? new Error(`missing ${key}`) : key * 2))
      },
      { windowMs: 1, maxBatchSize, concurrency, maxWaiting: 5_000 },
    )
    const shared = new AbortController()
    const controllers: AbortController[] = []
    const outcomes = { fulfilled: 0, keyError: 0, batchFailed: 0, aborted: 0, shed: 0, wrong: 0 }
    const all: Promise<void>[] = []
    for (let index = 0; index < 50_000; index++) {
      const key = Math.floor(random() * 2_000)
      const roll = random()
      const controller = roll < 0.1 ? new AbortController() : undefined
      if (controller !== undefined) controllers.push(controller)
      const signal = controller?.signal ?? (roll < 0.2 ? shared.signal : undefined)
      all.push(
        users.load(key, { signal }).then(
          (value) => {
            if (value === key * 2) outcomes.fulfilled++
            else outcomes.wrong++
          },
          (error: Error) => {
            if (error instanceof AbortError) outcomes.aborted++
            else if (error instanceof BatchFailedError) outcomes.batchFailed++
            else if (error instanceof QueueFullError) outcomes.shed++
            else if (error.message === `missing ${key}`) outcomes.keyError++
            else outcomes.wrong++
          },
        ),
      )
      if (index % 211 === 0) for (const pending of controllers.splice(0)) pending.abort()
      if (index % 1_000 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    for (const pending of controllers.splice(0)) pending.abort()
    await Promise.all(all)
    const settled =
      outcomes.fulfilled +
      outcomes.keyError +
      outcomes.batchFailed +
      outcomes.aborted +
      outcomes.shed
    expect(settled).toBe(50_000)
    expect(outcomes.wrong).toBe(0)
    expect(outcomes.fulfilled).toBeGreaterThan(0)
    expect(outcomes.aborted).toBeGreaterThan(0)
    expect(duplicateKeys).toBe(0)
    expect(oversized).toBe(0)
    expect(peak).toBeLessThanOrEqual(concurrency)
    const stats = users.stats()
    expect(stats).toMatchObject({ waiting: 0, waitingBatches: 0, running: 0 })
    expect(stats.abortedLoads).toBe(outcomes.aborted)
    expect(stats.rejectedLoads).toBe(outcomes.shed)
    // Other timers of the test runner may come and go; ours must all be gone.
    expect(timers()).toBeLessThanOrEqual(timersBefore)
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0)
  })

  it('holds nothing of a settled batch: its keys and values can be collected', async () => {
    for (const windowMs of [0, 1]) {
      const users = new Batcher(
        async (keys: readonly object[]) => keys.map((key) => ({ of: key })),
        { windowMs },
      )
      const references = await (async () => {
        const key = {}
        const value = await users.load(key)
        return [new WeakRef(key), new WeakRef(value)]
      })()
      await new Promise((resolve) => setImmediate(resolve))
      collectGarbage()
      expect(references.map((reference) => reference.deref())).toEqual([undefined, undefined])
    }
  })

  it('a million loads, a tenth of them with a signal, leave no heap growth', async () => {
    const users = new Batcher(async (keys: readonly number[]) => keys, { windowMs: 0 })
    const signal = new AbortController().signal
    const round = async () => {
      const loads: Promise<number>[] = []
      for (let index = 0; index < 100_000; index++) {
        loads.push(users.load(index % 5_000, index % 10 === 0 ? { signal } : undefined))
        if (index % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve))
      }
      await Promise.all(loads)
    }
    await round()
    collectGarbage()
    const before = process.memoryUsage().heapUsed
    for (let index = 0; index < 10; index++) await round()
    collectGarbage()
    const grown = process.memoryUsage().heapUsed - before
    expect(grown).toBeLessThan(4 * 1024 * 1024)
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })
})
