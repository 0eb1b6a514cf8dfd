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
    ['maxConcurrentBatches', -1, RangeError],
    ['maxConcurrentBatches', Number.NaN, RangeError],
    ['maxPendingKeys', 0, RangeError],
    ['maxPendingKeys', null, TypeError],
  ])('rejects %s = %s with a %o naming the option and the value', (option, value, type) => {
    const thrown = construct({ [option]: value })
    expect(thrown).toThrow(type)
    const shown = typeof value === 'string' ? `"${value}"` : String(value)
    expect(thrown).toThrow(`${option} must be a positive integer or Infinity, got ${shown}`)
  })

  it('rejects a negative, infinite or non-numeric windowMs', () => {
    expect(construct({ windowMs: -1 })).toThrow(
      /windowMs must be a finite number of milliseconds >= 0, got -1/,
    )
    expect(construct({ windowMs: Number.POSITIVE_INFINITY })).toThrow(RangeError)
    expect(construct({ windowMs: '10' })).toThrow(TypeError)
  })

  it('rejects a non-boolean dedupe, a non-function cacheKey, an unknown missingKey and a non-string name', () => {
    expect(construct({ dedupe: 'yes' })).toThrow(/dedupe must be true or false, got "yes"/)
    expect(construct({ cacheKey: 'id' })).toThrow(/cacheKey must be a function, got "id"/)
    expect(construct({ missingKey: 'null' })).toThrow(
      /missingKey must be "reject" or "undefined", got "null"/,
    )
    expect(construct({ name: 7 })).toThrow(/name must be a string, got 7/)
  })

  it('rejects options that are not an object', () => {
    expect(() => new Batcher(echo, null as never)).toThrow(/options must be an object, got null/)
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
      maxConcurrentBatches: Number.POSITIVE_INFINITY,
      maxPendingKeys: Number.POSITIVE_INFINITY,
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
