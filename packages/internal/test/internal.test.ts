import { describe, expect, it } from 'vitest'
import {
  AbortError,
  adoptResult,
  ClosedError,
  isLoopworkError,
  LinkedList,
  LoopworkError,
  MAX_TIMEOUT_MS,
  QueueFullError,
  startInterval,
  startTimer,
  TimeoutError,
} from '../src/index.js'
import * as option from '../src/options.js'

const schema = {
  totalTokens: option.integer({ min: 1, infinity: true }),
  timeoutMs: option.duration({ infinity: true }),
  name: option.name,
  signal: option.signal,
}

describe('option.check', () => {
  it('accepts undefined, known keys and undefined values', () => {
    expect(option.check('Limiter options', undefined, schema)).toBeUndefined()
    const options = { totalTokens: 4, name: undefined }
    expect(option.check('Limiter options', options, schema)).toBe(options)
  })

  it('refuses an unknown key, naming it and the closest known name', () => {
    const call = () => option.check('CapacityLimiter options', { totlTokens: 4 } as object, schema)
    expect(call).toThrow(TypeError)
    expect(call).toThrow(
      /Unknown option "totlTokens" in CapacityLimiter options \(did you mean "totalTokens"\?\)/,
    )
    try {
      call()
    } catch (error) {
      expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'totlTokens' })
    }
  })

  it('suggests nothing when no name is close', () => {
    expect(() => option.check('X options', { zzzzzzzzzz: 1 } as object, schema)).toThrow(
      /Unknown option "zzzzzzzzzz" in X options; known options: totalTokens, timeoutMs, name, signal/,
    )
  })

  it('refuses a bag that is not an object', () => {
    expect(() => option.check('CapacityLimiter options', 40 as unknown as object, schema)).toThrow(
      /CapacityLimiter options must be an options object, got 40/,
    )
    expect(() => option.check('X', [] as unknown as object, schema)).toThrow(TypeError)
    expect(() => option.check('X', null as unknown as object, schema)).toThrow(TypeError)
  })

  it('refuses wrongly typed values with the same code', () => {
    for (const bad of [{ signal: 'x' }, { name: '' }, { totalTokens: 0 }, { totalTokens: 1.5 }]) {
      try {
        option.check('X', bad as object, schema)
        expect.unreachable()
      } catch (error) {
        expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION' })
      }
    }
    expect(() => option.check('X', { totalTokens: 0 }, schema)).toThrow(RangeError)
    expect(() => option.check('X', { signal: 'x' } as object, schema)).toThrow(
      /signal must be an AbortSignal, got "x"/,
    )
  })
})

describe('durations', () => {
  it('refuses a finite duration above the timer range, naming the maximum', () => {
    const check = option.duration({ infinity: true })
    expect(check('timeoutMs', MAX_TIMEOUT_MS)).toBe(MAX_TIMEOUT_MS)
    expect(check('timeoutMs', Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY)
    expect(() => check('timeoutMs', 3e9)).toThrow(RangeError)
    expect(() => check('timeoutMs', 3e9)).toThrow(/from 0 to 2147483647/)
    expect(() => option.duration()('windowMs', Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(() => check('timeoutMs', -1)).toThrow(RangeError)
    expect(() => check('timeoutMs', Number.NaN)).toThrow(RangeError)
  })

  it('starts no timer for Infinity and an unref()ed one otherwise', () => {
    expect(startTimer(() => {}, Number.POSITIVE_INFINITY)).toBeUndefined()
    const timer = startTimer(() => {}, 1000)
    expect(timer?.hasRef()).toBe(false)
    clearTimeout(timer)
    expect(startInterval(() => {}, Number.POSITIVE_INFINITY)).toBeUndefined()
    const interval = startInterval(() => {}, 1000)
    expect(interval?.hasRef()).toBe(false)
    clearInterval(interval)
  })
})

describe('errors', () => {
  it('carry codes and the shared fields', () => {
    const reason = new Error('stop')
    const abort = new AbortError('aborted', reason)
    expect(abort).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: reason })
    expect(new TimeoutError('slow', 5)).toMatchObject({
      name: 'TimeoutError',
      code: 'LOOPWORK_TIMEOUT',
      timeoutMs: 5,
    })
    expect(new QueueFullError('full', 'maxWaiting', 3)).toMatchObject({
      code: 'LOOPWORK_QUEUE_FULL',
      option: 'maxWaiting',
      limit: 3,
    })
    expect(new ClosedError('closed').code).toBe('LOOPWORK_CLOSED')
  })

  it('instanceof works across copies, by brand and code', () => {
    // A second copy of the class, as a second installed copy of a package would have.
    class OtherCopy extends Error {
      readonly code = 'LOOPWORK_QUEUE_FULL'
      constructor() {
        super('full')
        Object.defineProperty(this, Symbol.for('loopwork.error'), { value: true })
      }
    }
    const foreign = new OtherCopy()
    expect(foreign instanceof QueueFullError).toBe(true)
    expect(foreign instanceof LoopworkError).toBe(true)
    expect(foreign instanceof TimeoutError).toBe(false)
    expect(isLoopworkError(foreign, 'LOOPWORK_QUEUE_FULL')).toBe(true)
    expect(new Error('x') instanceof LoopworkError).toBe(false)
    expect(new TimeoutError('x', 1) instanceof QueueFullError).toBe(false)
  })

  it('instanceof of a package class without a code of its own uses the prototype chain', () => {
    class PackageError extends LoopworkError {}
    expect(new PackageError('x') instanceof PackageError).toBe(true)
    expect(new QueueFullError('x', 'maxWaiting', 1) instanceof PackageError).toBe(false)
  })
})

describe('adoptResult', () => {
  it('calls a thenable then() exactly once', async () => {
    let calls = 0
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about
      then(resolve: (value: number) => void) {
        calls++
        resolve(7)
      },
    }
    await expect(adoptResult(thenable as unknown as PromiseLike<number>)).resolves.toBe(7)
    expect(calls).toBe(1)
  })

  it('returns a native promise as it is and wraps plain values', async () => {
    const promise = Promise.resolve(1)
    expect(adoptResult(promise)).toBe(promise)
    await expect(adoptResult(2)).resolves.toBe(2)
  })

  it('rejects when then() throws', async () => {
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about
      then: () => {
        throw new Error('boom')
      },
    }
    await expect(adoptResult(thenable as unknown as PromiseLike<number>)).rejects.toThrow('boom')
  })
})

describe('LinkedList', () => {
  it('keeps FIFO order with removal from the middle', () => {
    type Item = { id: number; previous: Item | undefined; next: Item | undefined }
    const list = new LinkedList<Item>()
    const items = [1, 2, 3].map((id): Item => ({ id, previous: undefined, next: undefined }))
    for (const item of items) list.push(item)
    list.remove(items[1] as Item)
    expect(list.length).toBe(2)
    expect(list.shift()?.id).toBe(1)
    expect(list.shift()?.id).toBe(3)
    expect(list.shift()).toBeUndefined()
    expect(list.length).toBe(0)
  })
})

describe('option.invalid', () => {
  it('is a RangeError only for a number out of a numeric range', () => {
    expect(option.invalid('windowMs', 3e9, 'a number of milliseconds from 0 to 5')).toBeInstanceOf(
      RangeError,
    )
    expect(option.invalid('groupStatusCodes', 1, 'true or false')).toBeInstanceOf(TypeError)
    expect(option.invalid('groupStatusCodes', 1, 'true or false')).not.toBeInstanceOf(RangeError)
    expect(option.invalid('size', 'big', 'an integer from 1 to 5')).toBeInstanceOf(TypeError)
    expect(option.invalid('ratio', 2, 'a value in (0, 1]', true)).toBeInstanceOf(RangeError)
  })
})
