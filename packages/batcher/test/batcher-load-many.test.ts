import { describe, expect, it } from 'vitest'
import { AbortError, Batcher } from '../src/index.js'
import { recordingBatchFunction } from './recording-batch-function.js'

const notFound = new Error('not found')

describe('loadMany', () => {
  it('settles every key like Promise.allSettled, through one batch', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) =>
      key === 2 ? notFound : key * 10,
    )
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const results = await users.loadMany([1, 2, 3])
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: notFound },
      { status: 'fulfilled', value: 30 },
    ])
    expect(calls).toHaveLength(1)
  })

  it('with rejectOnError resolves with the values, or rejects with the first error', async () => {
    const { batchFunction } = recordingBatchFunction((key: number) =>
      key === 2 ? notFound : key * 10,
    )
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const values: number[] = await users.loadMany([1, 3], { rejectOnError: true })
    expect(values).toEqual([10, 30])
    await expect(users.loadMany([1, 2, 3], { rejectOnError: true })).rejects.toBe(notFound)
  })

  it('accepts any iterable and passes the signal to every load', async () => {
    const { batchFunction } = recordingBatchFunction((key: number) => key)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    expect(await users.loadMany(new Set([4, 5]), { rejectOnError: true })).toEqual([4, 5])
    const controller = new AbortController()
    const pending = users.loadMany([6, 7], { signal: controller.signal })
    controller.abort()
    const results = await pending
    for (const result of results) {
      expect(result.status).toBe('rejected')
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(AbortError)
    }
  })

  it('rejects, without throwing, when keys is not iterable', async () => {
    const users = new Batcher(async (keys: readonly number[]) => keys)
    await expect(users.loadMany(42 as never)).rejects.toThrow(
      /loadMany\(\) keys must be an iterable, got 42/,
    )
    await expect(users.loadMany(42 as never)).rejects.toBeInstanceOf(TypeError)
  })
})
