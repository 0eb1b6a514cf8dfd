import { AsyncLocalStorage } from 'node:async_hooks'
import { describe, expect, it } from 'vitest'
import { Batcher } from '../src/index.js'
import { flush } from './deferred.js'
import { heldBatchFunction } from './recording-batch-function.js'

const request = new AsyncLocalStorage<string>()

/** A batch function that records the AsyncLocalStorage store it runs in. */
function contextRecorder() {
  const seen: (string | undefined)[] = []
  const batchFunction = async (keys: readonly number[]) => {
    seen.push(request.getStore())
    return keys
  }
  return { seen, batchFunction }
}

describe('AsyncLocalStorage context of the batch function', () => {
  it('runs in the context of the load that opened the batch, with windowMs 0', async () => {
    const { seen, batchFunction } = contextRecorder()
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const loads = ['A', 'B', 'C'].map((name, key) => request.run(name, () => users.load(key)))
    await Promise.all(loads)
    expect(seen).toEqual(['A'])
  })

  it('runs in the first caller context when the window timer ends the batch', async () => {
    const { seen, batchFunction } = contextRecorder()
    const users = new Batcher(batchFunction, { windowMs: 5 })
    const loads = ['A', 'B'].map((name, key) => request.run(name, () => users.load(key)))
    await Promise.all(loads)
    expect(seen).toEqual(['A'])
  })

  it('runs in the first caller context when a later caller fills the batch', async () => {
    for (const windowMs of [0, 1_000]) {
      const { seen, batchFunction } = contextRecorder()
      const users = new Batcher(batchFunction, { windowMs, maxBatchSize: 3 })
      const loads = ['A', 'B', 'C'].map((name, key) => request.run(name, () => users.load(key)))
      await Promise.all(loads)
      expect(seen).toEqual(['A'])
    }
  })

  it('runs a queued batch in its own first caller context when another batch frees the slot', async () => {
    const seen: (string | undefined)[] = []
    const held = heldBatchFunction((key: number) => key)
    const users = new Batcher(
      (keys: readonly number[], context) => {
        seen.push(request.getStore())
        return held.batchFunction(keys, context)
      },
      { windowMs: 0, maxBatchSize: 1, concurrency: 1 },
    )
    const first = request.run('A', () => users.load(1))
    const second = request.run('B', () => users.load(2))
    await flush()
    request.run('C', () => held.calls[0]!.release())
    await flush()
    held.calls[1]!.release()
    await Promise.all([first, second])
    expect(seen).toEqual(['A', 'B'])
  })

  it('resumes every caller in its own context', async () => {
    const users = new Batcher(async (keys: readonly number[]) => keys, { windowMs: 0 })
    const resumed = await Promise.all(
      ['A', 'B', 'C'].map((name, key) =>
        request.run(name, async () => {
          await users.load(key)
          return request.getStore()
        }),
      ),
    )
    expect(resumed).toEqual(['A', 'B', 'C'])
  })
})
