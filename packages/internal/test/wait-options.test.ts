import { describe, expect, it } from 'vitest'
import { MAX_TIMEOUT_MS } from '../src/index.js'
import * as option from '../src/options.js'

describe('option.waitSchema', () => {
  it('takes a signal and a timeoutMs up to MAX_TIMEOUT_MS or Infinity, and nothing else', () => {
    const options = { signal: new AbortController().signal, timeoutMs: Number.POSITIVE_INFINITY }
    expect(option.check('acquire() options', options, option.waitSchema)).toBe(options)
    expect(
      option.check('acquire() options', { timeoutMs: MAX_TIMEOUT_MS }, option.waitSchema),
    ).toBeDefined()
    expect(() => option.check('acquire() options', { signal: {} }, option.waitSchema)).toThrow(
      /signal must be an AbortSignal/,
    )
    expect(() =>
      option.check('acquire() options', { timeoutMs: MAX_TIMEOUT_MS + 1 }, option.waitSchema),
    ).toThrow(RangeError)
    expect(() => option.check('acquire() options', { timeout: 5 }, option.waitSchema)).toThrow(
      /Unknown option "timeout" in acquire\(\) options \(did you mean "timeoutMs"\?\)/,
    )
  })
})
