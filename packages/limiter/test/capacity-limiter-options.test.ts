import { describe, expect, it } from 'vitest'
import { CapacityLimiter } from '../src/index.js'

describe('option validation', () => {
  it.each([
    [0, RangeError],
    [-1, RangeError],
    [1.5, RangeError],
    [Number.NaN, RangeError],
    ['4', TypeError],
    [null, TypeError],
  ])('rejects totalTokens %s with a %o naming the option and the value', (value, type) => {
    expect(() => new CapacityLimiter({ totalTokens: value as number })).toThrow(type)
    expect(() => new CapacityLimiter({ totalTokens: value as number })).toThrow(
      new RegExp(
        `totalTokens must be a positive integer or Infinity, got ${value === '4' ? '"4"' : String(value)}`,
      ),
    )
  })

  it('accepts Infinity tokens and 0 or Infinity maxWaiting', () => {
    expect(new CapacityLimiter({ totalTokens: Number.POSITIVE_INFINITY }).totalTokens).toBe(
      Number.POSITIVE_INFINITY,
    )
    expect(new CapacityLimiter({ maxWaiting: 0 }).maxWaiting).toBe(0)
    expect(new CapacityLimiter({ maxWaiting: Number.POSITIVE_INFINITY }).maxWaiting).toBe(
      Number.POSITIVE_INFINITY,
    )
  })

  it('rejects a negative or fractional maxWaiting', () => {
    expect(() => new CapacityLimiter({ maxWaiting: -1 })).toThrow(
      /maxWaiting must be a non-negative integer or Infinity, got -1/,
    )
    expect(() => new CapacityLimiter({ maxWaiting: 0.5 })).toThrow(RangeError)
  })

  it('rejects a non-string name', () => {
    expect(() => new CapacityLimiter({ name: 3 as unknown as string })).toThrow(
      /name must be a string/,
    )
  })

  it('rejects an invalid runtime resize and keeps the old size', () => {
    const limiter = new CapacityLimiter({ totalTokens: 2 })
    expect(() => {
      limiter.totalTokens = 0
    }).toThrow(/totalTokens/)
    expect(limiter.totalTokens).toBe(2)
  })

  it('rejects a negative timeoutMs at the call without queueing anything', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const lease = limiter.tryAcquire()!
    await expect(limiter.acquire({ timeoutMs: -5 })).rejects.toThrow(
      /timeoutMs must be a finite number of milliseconds >= 0, got -5/,
    )
    expect(limiter.waiting).toBe(0)
    lease.release()
  })
})
