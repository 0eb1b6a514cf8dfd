import { describe, expect, it } from 'vitest'
import { Batcher, type BatcherOptions, type LoadOptions } from '../src/index.js'

const echo = async (keys: readonly number[]) => keys

describe('regressions', () => {
  it('adopts a thenable result once: reads then and calls it exactly once', async () => {
    let reads = 0
    let calls = 0
    const users = new Batcher(
      (keys: readonly number[]) => {
        const lazyQuery = {
          // biome-ignore lint/suspicious/noThenProperty: a lazy thenable is what this test is about
          get then() {
            reads++
            return (onFulfilled: (rows: number[]) => void) => {
              calls++
              onFulfilled(keys.map((key) => key * 2))
            }
          },
        }
        return lazyQuery as unknown as PromiseLike<number[]>
      },
      { windowMs: 0 },
    )
    expect(await Promise.all([users.load(1), users.load(2)])).toEqual([2, 4])
    expect({ reads, calls }).toEqual({ reads: 1, calls: 1 })
  })

  it('rejects every load when reading then throws, instead of throwing from the dispatch', async () => {
    const failure = new Error('then getter failed')
    const users = new Batcher(
      () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about
          get then() {
            throw failure
          },
        }) as unknown as PromiseLike<number[]>,
      { windowMs: 0 },
    )
    await expect(users.load(1)).rejects.toMatchObject({ name: 'BatchFailedError', cause: failure })
  })

  it('refuses a windowMs above the timer range with a RangeError naming the maximum', () => {
    const call = () => new Batcher(echo, { windowMs: 3e9 })
    expect(call).toThrow(RangeError)
    expect(call).toThrow(
      /windowMs must be a number of milliseconds from 0 to 2147483647, got 3000000000/,
    )
    expect(() => new Batcher(echo, { windowMs: 2_147_483_647 })).not.toThrow()
  })

  it('refuses a misspelled option, naming it and the closest known name', () => {
    const call = () => new Batcher(echo, { windowMS: 5 } as BatcherOptions<number>)
    expect(call).toThrow(TypeError)
    expect(call).toThrow(
      /Unknown option "windowMS" in Batcher options \(did you mean "windowMs"\?\)/,
    )
    try {
      call()
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'windowMS' })
    }
  })

  it('rejects load() and loadMany() with an unknown or wrongly typed option, never throwing', async () => {
    const users = new Batcher(echo, { windowMs: 0 })
    const misspelled = { sginal: AbortSignal.timeout(100) } as LoadOptions
    let load: Promise<number> | undefined
    expect(() => {
      load = users.load(1, misspelled)
    }).not.toThrow()
    await expect(load).rejects.toMatchObject({
      name: 'TypeError',
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'sginal',
      message: expect.stringMatching(
        /Unknown option "sginal" in load\(\) options \(did you mean "signal"\?\)/,
      ),
    })
    await expect(users.load(1, { signal: 'soon' } as unknown as LoadOptions)).rejects.toMatchObject(
      {
        name: 'TypeError',
        code: 'LOOPWORK_INVALID_OPTION',
        option: 'signal',
      },
    )
    await expect(
      users.loadMany([1, 2], { rejectOnErorr: true } as unknown as { rejectOnError: true }),
    ).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'rejectOnErorr',
      message: expect.stringMatching(/loadMany\(\) options \(did you mean "rejectOnError"\?\)/),
    })
    await expect(
      users.loadMany([1], { rejectOnError: 'yes' } as unknown as { rejectOnError: true }),
    ).rejects.toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'rejectOnError' })
    expect(users.stats().keys).toBe(0)
  })
})
