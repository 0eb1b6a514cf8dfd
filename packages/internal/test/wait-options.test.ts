import { describe, expect, it } from 'vitest'
import { checkOptions, MAX_TIMEOUT_MS, waitOptionsSchema } from '../src/index.js'

describe('waitOptionsSchema', () => {
  it('takes a signal and a timeoutMs up to MAX_TIMEOUT_MS or Infinity, and nothing else', () => {
    const options = { signal: new AbortController().signal, timeoutMs: Number.POSITIVE_INFINITY }
    expect(checkOptions('acquire() options', options, waitOptionsSchema)).toBe(options)
    expect(
      checkOptions('acquire() options', { timeoutMs: MAX_TIMEOUT_MS }, waitOptionsSchema),
    ).toBeDefined()
    expect(() => checkOptions('acquire() options', { signal: {} }, waitOptionsSchema)).toThrow(
      /signal must be an AbortSignal/,
    )
    expect(() =>
      checkOptions('acquire() options', { timeoutMs: MAX_TIMEOUT_MS + 1 }, waitOptionsSchema),
    ).toThrow(RangeError)
    expect(() => checkOptions('acquire() options', { timeout: 5 }, waitOptionsSchema)).toThrow(
      /Unknown option "timeout" in acquire\(\) options \(did you mean "timeoutMs"\?\)/,
    )
  })
})
