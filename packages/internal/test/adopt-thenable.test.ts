import { describe, expect, it } from 'vitest'
import { adoptResult, adoptThenable } from '../src/index.js'

/** A thenable that counts how often its `then` is read and called, as a lazy query builder would run. */
function countingThenable<T>(
  settle: (resolve: (value: T) => void, reject: (error: unknown) => void) => void,
) {
  const counts = { reads: 0, calls: 0 }
  const thenable = {
    // biome-ignore lint/suspicious/noThenProperty: a lazy thenable is exactly what this checks
    get then() {
      counts.reads++
      return (resolve: (value: T) => void, reject: (error: unknown) => void) => {
        counts.calls++
        settle(resolve, reject)
      }
    },
  }
  return { thenable: thenable as unknown as PromiseLike<T>, counts }
}

describe('adoptThenable', () => {
  it('returns undefined for values that are no thenable, without a promise', () => {
    expect(adoptThenable(1)).toBeUndefined()
    expect(adoptThenable(null)).toBeUndefined()
    expect(adoptThenable(undefined)).toBeUndefined()
    // biome-ignore lint/suspicious/noThenProperty: a `then` that is no function is checked here
    expect(adoptThenable({ then: 'not a function' })).toBeUndefined()
    expect(adoptThenable(() => 1)).toBeUndefined()
  })

  it('returns a native promise as it is', () => {
    const promise = Promise.resolve(3)
    expect(adoptThenable(promise)).toBe(promise)
  })

  it('reads and calls then() exactly once, and settles with the thenable', async () => {
    const fulfilled = countingThenable<number>((resolve) => resolve(7))
    await expect(adoptThenable(fulfilled.thenable)).resolves.toBe(7)
    expect(fulfilled.counts).toEqual({ reads: 1, calls: 1 })
    const rejected = countingThenable<number>((_resolve, reject) => reject(new Error('boom')))
    await expect(adoptThenable(rejected.thenable)).rejects.toThrow('boom')
    expect(rejected.counts).toEqual({ reads: 1, calls: 1 })
  })

  it('turns a then getter or a then() that throws into a rejection', async () => {
    const getterThrows = {
      // biome-ignore lint/suspicious/noThenProperty: a throwing `then` getter is checked here
      get then() {
        throw new Error('getter')
      },
    }
    await expect(adoptThenable(getterThrows)).rejects.toThrow('getter')
    const callThrows = countingThenable<number>(() => {
      throw new Error('call')
    })
    await expect(adoptThenable(callThrows.thenable)).rejects.toThrow('call')
  })

  it('is what adoptResult uses: a thenable read and called once, other values resolved', async () => {
    const { thenable, counts } = countingThenable<string>((resolve) => resolve('x'))
    await expect(adoptResult(thenable)).resolves.toBe('x')
    expect(counts).toEqual({ reads: 1, calls: 1 })
    await expect(adoptResult('plain')).resolves.toBe('plain')
  })
})
