import { describe, expect, it } from 'vitest'
import { rehydrateError, serializeError } from '../src/internal/error-transport.js'

/** What a thread would send: serialized, then structured-cloned like postMessage does. */
function acrossThreads(error: Error): Error {
  return rehydrateError(structuredClone(serializeError(error)))
}

describe('error transport', () => {
  it('rebuilds built-in error classes as themselves', () => {
    for (const BuiltIn of [
      TypeError,
      RangeError,
      SyntaxError,
      ReferenceError,
      EvalError,
      URIError,
    ]) {
      const copy = acrossThreads(new BuiltIn('bad'))
      expect(copy).toBeInstanceOf(BuiltIn)
      expect(copy.name).toBe(BuiltIn.name)
    }
  })

  it('keeps a custom name and every own enumerable property', () => {
    const error = Object.assign(new Error('nope'), {
      name: 'PaymentError',
      code: 'E_CARD',
      status: 402,
      details: { retry: false },
    })
    const copy = acrossThreads(error) as Error & Record<string, unknown>
    expect(copy.name).toBe('PaymentError')
    expect(copy.message).toBe('nope')
    expect(copy.stack).toBe(error.stack)
    expect(copy).toMatchObject({ code: 'E_CARD', status: 402, details: { retry: false } })
  })

  it('keeps a cause chain, including causes that are not errors', () => {
    const error = new Error('outer', { cause: new Error('middle', { cause: { reason: 'inner' } }) })
    const copy = acrossThreads(error)
    expect((copy.cause as Error).message).toBe('middle')
    expect((copy.cause as Error).cause).toEqual({ reason: 'inner' })
  })

  it('keeps an explicitly undefined cause apart from no cause', () => {
    expect(Object.hasOwn(acrossThreads(new Error('a', { cause: undefined })), 'cause')).toBe(true)
    expect(Object.hasOwn(acrossThreads(new Error('b')), 'cause')).toBe(false)
  })

  it('turns a property that cannot be cloned into text instead of losing the error', () => {
    const error = Object.assign(new Error('with a socket'), { handle: () => 'not cloneable' })
    const copy = acrossThreads(error) as Error & { handle: unknown }
    expect(copy.message).toBe('with a socket')
    expect(typeof copy.handle).toBe('string')
  })

  it('stops at a cyclic cause chain', () => {
    const error = new Error('loop')
    error.cause = error
    let depth = 0
    for (
      let current: unknown = acrossThreads(error);
      current instanceof Error;
      current = current.cause
    ) {
      depth++
    }
    expect(depth).toBeGreaterThan(1)
    expect(depth).toBeLessThan(20)
  })

  it('keeps the inner errors of an AggregateError', () => {
    const copy = acrossThreads(new AggregateError([new TypeError('one'), 'two'], 'both'))
    expect(copy).toBeInstanceOf(AggregateError)
    expect((copy as AggregateError).errors[0]).toBeInstanceOf(TypeError)
    expect((copy as AggregateError).errors[1]).toBe('two')
  })
})
