import { describe, expect, it } from 'vitest'
import { Batcher } from '../src/index.js'
import { flush } from './deferred.js'
import { heldBatchFunction, recordingBatchFunction } from './recording-batch-function.js'

describe('dedupe', () => {
  it('sends a key asked twice in one window once; every caller gets the value', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => `user ${key}`)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const loads = [users.load(1), users.load(2), users.load(1), users.load(1)]
    expect(await Promise.all(loads)).toEqual(['user 1', 'user 2', 'user 1', 'user 1'])
    expect(calls.map((call) => call.keys)).toEqual([[1, 2]])
    expect(users.stats()).toMatchObject({ keys: 2, dedupedLoads: 2 })
  })

  it('is on by default and off with dedupe: false, where every load sends its key', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0, dedupe: false })
    expect(await Promise.all([users.load(1), users.load(1)])).toEqual([1, 1])
    expect(calls.map((call) => call.keys)).toEqual([[1, 1]])
    expect(users.stats().dedupedLoads).toBe(0)
  })

  it('dedupes object keys through cacheKey, and without it compares them by identity', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: { id: number }) => key.id)
    const byId = new Batcher(batchFunction, { windowMs: 0, cacheKey: (key) => key.id })
    expect(await Promise.all([byId.load({ id: 1 }), byId.load({ id: 1 })])).toEqual([1, 1])
    expect(calls.at(-1)!.keys).toEqual([{ id: 1 }])

    const byIdentity = new Batcher(batchFunction, { windowMs: 0 })
    const key = { id: 2 }
    await Promise.all([byIdentity.load(key), byIdentity.load({ id: 2 }), byIdentity.load(key)])
    expect(calls.at(-1)!.keys).toEqual([{ id: 2 }, { id: 2 }])
  })

  it('does not share a key already in flight: a later load goes to the next batch', async () => {
    const { calls, batchFunction } = heldBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const first = users.load(1)
    await flush()
    const second = users.load(1)
    await flush()
    expect(calls.map((call) => call.keys)).toEqual([[1], [1]])
    for (const call of calls) call.release()
    expect(await Promise.all([first, second])).toEqual([1, 1])
  })

  it('caches nothing: a key loaded again after its batch settled is loaded again', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => ({ key }))
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const first = await users.load(1)
    const second = await users.load(1)
    expect(second).toEqual(first)
    expect(second).not.toBe(first)
    expect(calls.map((call) => call.keys)).toEqual([[1], [1]])
  })

  it('rejects the load, without throwing, when cacheKey throws', async () => {
    const failure = new Error('cannot key this')
    const users = new Batcher(async (keys: readonly number[]) => keys, {
      windowMs: 0,
      cacheKey: () => {
        throw failure
      },
    })
    await expect(users.load(1)).rejects.toBe(failure)
    await expect(users.load(1, { signal: new AbortController().signal })).rejects.toBe(failure)
    expect(users.stats().waiting).toBe(0)
  })
})
