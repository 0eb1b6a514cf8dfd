import { describe, expect, it } from 'vitest'
import { Batcher, type BatcherOptions, DEFAULT_MAX_BATCH_SIZE } from '../src/index.js'

const echo = async (keys: readonly number[]) => keys

function construct(options: Record<string, unknown>) {
  return () => new Batcher(echo, options as BatcherOptions<number>)
}

describe('option validation', () => {
  it.each([
    ['maxBatchSize', 0, RangeError],
    ['maxBatchSize', 1.5, RangeError],
    ['maxBatchSize', '100', TypeError],
    ['concurrency', -1, RangeError],
    ['concurrency', Number.NaN, RangeError],
    ['maxWaiting', 0, RangeError],
    ['maxWaiting', null, TypeError],
  ])('rejects %s = %s with a %o naming the option and the value', (option, value, type) => {
    const thrown = construct({ [option]: value })
    expect(thrown).toThrow(type)
    const shown = typeof value === 'string' ? `"${value}"` : String(value)
    expect(thrown).toThrow(
      `${option} must be an integer from 1 to Number.MAX_SAFE_INTEGER, or Infinity, got ${shown}`,
    )
    expect(thrown).toThrow(expect.objectContaining({ code: 'LOOPWORK_INVALID_OPTION', option }))
  })

  it('rejects a negative, infinite, too long or non-numeric windowMs', () => {
    expect(construct({ windowMs: -1 })).toThrow(
      /windowMs must be a number of milliseconds from 0 to 2147483647, got -1/,
    )
    expect(construct({ windowMs: Number.POSITIVE_INFINITY })).toThrow(RangeError)
    expect(construct({ windowMs: 2_147_483_648 })).toThrow(RangeError)
    expect(construct({ windowMs: '10' })).toThrow(TypeError)
  })

  it('rejects a non-boolean dedupe, a non-function cacheKey, an unknown missingKey and a bad name', () => {
    expect(construct({ dedupe: 'yes' })).toThrow(/dedupe must be true or false, got "yes"/)
    expect(construct({ cacheKey: 'id' })).toThrow(/cacheKey must be a function, got "id"/)
    expect(construct({ missingKey: 'null' })).toThrow(
      /missingKey must be one of "reject", "undefined", got "null"/,
    )
    expect(construct({ name: 7 })).toThrow(/name must be a non-empty string, got 7/)
    expect(construct({ name: '' })).toThrow(/name must be a non-empty string, got ""/)
  })

  it('rejects options that are not an object', () => {
    expect(() => new Batcher(echo, null as never)).toThrow(
      /Batcher options must be an options object, got null/,
    )
    expect(() => new Batcher(echo, 10 as never)).toThrow(TypeError)
  })

  it('treats an option set to undefined as left out', () => {
    const users = new Batcher(echo, { windowMs: undefined, name: undefined })
    expect(users.name).toBe('batcher')
  })

  it('rejects a batch function that is not a function', () => {
    expect(() => new Batcher(undefined as never)).toThrow(
      /batchFunction must be a function, got undefined/,
    )
  })

  it('accepts Infinity for the bounds and 0 for the window', () => {
    const users = new Batcher(echo, {
      windowMs: 0,
      maxBatchSize: Number.POSITIVE_INFINITY,
      concurrency: Number.POSITIVE_INFINITY,
      maxWaiting: Number.POSITIVE_INFINITY,
    })
    expect(users.name).toBe('batcher')
    expect(DEFAULT_MAX_BATCH_SIZE).toBe(1000)
  })

  it('caps a batch at the default maxBatchSize of 1000', async () => {
    const sizes: number[] = []
    const users = new Batcher(
      async (keys: readonly number[]) => {
        sizes.push(keys.length)
        return keys
      },
      { windowMs: 0 },
    )
    await Promise.all(Array.from({ length: 2_500 }, (_, key) => users.load(key)))
    expect(sizes).toEqual([1000, 1000, 500])
  })
})
