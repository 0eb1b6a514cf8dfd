import { describe, expect, it } from 'vitest'
import {
  Batcher,
  BatchFailedError,
  BatchShapeError,
  isLoopworkError,
  LoopworkError,
  MissingKeyError,
} from '../src/index.js'
import { recordingBatchFunction } from './recording-batch-function.js'

describe('batch results', () => {
  it('resolves each load from an array aligned with the keys, keys in first-asked order', async () => {
    const { calls, batchFunction } = recordingBatchFunction((key: number) => key * 10)
    const users = new Batcher(batchFunction, { windowMs: 0 })
    const values = await Promise.all([users.load(3), users.load(1), users.load(2)])
    expect(values).toEqual([30, 10, 20])
    expect(calls.map((call) => call.keys)).toEqual([[3, 1, 2]])
  })

  it('accepts a synchronous batch function and a foreign thenable', async () => {
    const sync = new Batcher((keys: readonly number[]) => keys.map((key) => key + 1), {
      windowMs: 0,
    })
    expect(await Promise.all([sync.load(1), sync.load(2)])).toEqual([2, 3])
    const thenable = new Batcher(
      (keys: readonly number[]): PromiseLike<number[]> => ({
        // biome-ignore lint/suspicious/noThenProperty: a foreign thenable is the point of the test
        then: (onFulfilled) => {
          onFulfilled?.(keys.map((key) => key * 2))
          return undefined as never
        },
      }),
      { windowMs: 0 },
    )
    expect(await thenable.load(4)).toBe(8)
  })

  it('resolves from a Map by key, and by cache key when the key itself is not there', async () => {
    const byKey = new Batcher(
      async (keys: readonly string[]) => new Map(keys.map((key) => [key, key.toUpperCase()])),
      { windowMs: 0 },
    )
    expect(await Promise.all([byKey.load('a'), byKey.load('b')])).toEqual(['A', 'B'])

    const byCacheKey = new Batcher(
      async (keys: readonly { id: number }[]) => new Map(keys.map((key) => [key.id, key.id * 2])),
      { windowMs: 0, cacheKey: (key) => key.id },
    )
    expect(await byCacheKey.load({ id: 21 })).toBe(42)
  })

  it('rejects a key missing from a Map with MissingKeyError, and only that key', async () => {
    const users = new Batcher(async () => new Map([[1, 'one']]), { windowMs: 0, name: 'users' })
    const [one, two] = await Promise.allSettled([users.load(1), users.load(2)])
    expect(one).toEqual({ status: 'fulfilled', value: 'one' })
    expect(two.status).toBe('rejected')
    const error = (two as PromiseRejectedResult).reason as MissingKeyError
    expect(error).toBeInstanceOf(MissingKeyError)
    expect(error).toBeInstanceOf(LoopworkError)
    expect(error).not.toBeInstanceOf(BatchShapeError)
    expect(isLoopworkError(error, 'LOOPWORK_MISSING_KEY')).toBe(true)
    expect(error.code).toBe('LOOPWORK_MISSING_KEY')
    expect(error.key).toBe(2)
    expect(error.message).toMatch(/batcher "users" returned a Map without the key 2/)
  })

  it("resolves a missing Map key with undefined when missingKey is 'undefined'", async () => {
    const users = new Batcher<number, string | undefined>(async () => new Map([[1, 'one']]), {
      windowMs: 0,
      missingKey: 'undefined',
    })
    expect(await Promise.all([users.load(1), users.load(2)])).toEqual(['one', undefined])
  })

  it('rejects only the key whose value is an Error instance, with that error', async () => {
    const failure = new Error('no such user')
    const users = new Batcher(
      async (keys: readonly number[]) => keys.map((key) => (key === 2 ? failure : `user ${key}`)),
      { windowMs: 0 },
    )
    const results = await Promise.allSettled([users.load(1), users.load(2), users.load(3)])
    expect(results).toEqual([
      { status: 'fulfilled', value: 'user 1' },
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 'user 3' },
    ])
  })

  it('an Error value in a Map rejects only that key', async () => {
    const failure = new TypeError('bad key')
    const users = new Batcher(
      async () =>
        new Map<number, string | Error>([
          [1, 'one'],
          [2, failure],
        ]),
      { windowMs: 0 },
    )
    const results = await Promise.allSettled([users.load(1), users.load(2)])
    expect(results).toEqual([
      { status: 'fulfilled', value: 'one' },
      { status: 'rejected', reason: failure },
    ])
  })

  it('rejects every load of a rejected batch with BatchFailedError whose cause is the error', async () => {
    const failure = new Error('database down')
    const users = new Batcher<number, string>(
      async () => {
        throw failure
      },
      { windowMs: 0, name: 'users' },
    )
    const results = await Promise.allSettled([users.load(1), users.load(2)])
    for (const result of results) {
      expect(result.status).toBe('rejected')
      const error = (result as PromiseRejectedResult).reason as BatchFailedError
      expect(error).toBeInstanceOf(BatchFailedError)
      expect(error.code).toBe('LOOPWORK_BATCH_FAILED')
      expect(error.cause).toBe(failure)
      expect(error.batchSize).toBe(2)
      expect(error.message).toMatch(/batcher "users" failed for a batch of 2 keys: database down/)
    }
  })

  it('treats a synchronous throw like a rejection, and loads never throw synchronously', async () => {
    const failure = new Error('sync failure')
    const users = new Batcher<number, string>(
      () => {
        throw failure
      },
      { windowMs: 0, maxBatchSize: 1 },
    )
    let pending: Promise<string> | undefined
    expect(() => {
      pending = users.load(1)
    }).not.toThrow()
    await expect(pending).rejects.toMatchObject({ name: 'BatchFailedError', cause: failure })
  })

  it('rejects every load with BatchShapeError stating both lengths when the array is too short or long', async () => {
    for (const returned of [[1], [1, 2, 3]]) {
      const users = new Batcher(async () => returned, { windowMs: 0, name: 'users' })
      const results = await Promise.allSettled([users.load(1), users.load(2)])
      for (const result of results) {
        const error = (result as PromiseRejectedResult).reason as BatchShapeError
        expect(error).toBeInstanceOf(BatchShapeError)
        expect(error.code).toBe('LOOPWORK_BATCH_SHAPE')
        expect(error.expectedLength).toBe(2)
        expect(error.actualLength).toBe(returned.length)
        expect(error.message).toContain(`array of length ${returned.length} for 2 keys`)
        expect(error.message).toContain('expected length 2')
      }
    }
  })

  it('rejects with BatchShapeError when the result is neither an array nor a Map', async () => {
    const users = new Batcher(async () => ({ 1: 'one' }) as unknown as string[], { windowMs: 0 })
    const error = (await users.load(1).catch((caught: unknown) => caught)) as BatchShapeError
    expect(error).toBeInstanceOf(BatchShapeError)
    expect(error.actualLength).toBeUndefined()
    expect(error.message).toMatch(/returned an object instead of an array or a Map/)
  })

  it('resolves array positions holding undefined as undefined', async () => {
    const users = new Batcher<number, string | undefined>(
      async (keys) => keys.map(() => undefined),
      {
        windowMs: 0,
      },
    )
    expect(await users.load(1)).toBeUndefined()
  })

  it('keeps working after a failed batch', async () => {
    let fail = true
    const users = new Batcher(
      async (keys: readonly number[]) => {
        if (fail) throw new Error('first batch fails')
        return keys
      },
      { windowMs: 0 },
    )
    await expect(users.load(1)).rejects.toBeInstanceOf(BatchFailedError)
    fail = false
    expect(await users.load(1)).toBe(1)
  })
})
