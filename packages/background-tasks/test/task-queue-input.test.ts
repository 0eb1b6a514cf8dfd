import { thrownBy } from '@loopwork/internal/test-support/thrown-by'
import { describe, expect, it, vi } from 'vitest'
import { JobDataError, TaskQueue, UnknownJobError } from '../src/index.js'

function queueWith(handler = vi.fn()) {
  const queue = new TaskQueue({
    name: 'mail',
    handlers: { sendEmail: handler as (data: unknown) => void, audit: vi.fn() },
  })
  return { queue, handler }
}

class Money {
  amount = 1
}

describe('TaskQueue input checks: clear errors at add(), nothing enqueued', () => {
  it('rejects an unknown job name with UnknownJobError listing the known ones', async () => {
    const { queue } = queueWith()
    const refused = queue.add('sendSms' as 'sendEmail', {})
    await expect(refused).rejects.toBeInstanceOf(UnknownJobError)
    await expect(refused).rejects.toMatchObject({
      code: 'LOOPWORK_UNKNOWN_JOB',
      jobName: 'sendSms',
      message:
        'Task queue "mail" has no handler for job "sendSms"; known jobs: "sendEmail", "audit"',
    })
    // inherited object keys are not handlers
    await expect(queue.add('toString' as 'sendEmail', {})).rejects.toBeInstanceOf(UnknownJobError)
    expect(queue.stats()).toMatchObject({ waiting: 0, running: 0, completed: 0 })
  })

  it.each([
    ['a function', { callback: () => {} }, 'data.callback is a function'],
    ['a BigInt', { amount: 10n }, 'data.amount is a BigInt'],
    ['a symbol', { tag: Symbol('x') }, 'data.tag is a symbol'],
    ['NaN', { ratio: Number.NaN }, 'data.ratio is NaN, which JSON turns into null'],
    ['Infinity', [1, Number.POSITIVE_INFINITY], 'data[1] is Infinity'],
    ['a Date', { at: new Date(0) }, 'data.at is a Date, which JSON turns into a string'],
    ['a Map', { index: new Map() }, 'data.index is a Map instance'],
    ['a class instance', { price: new Money() }, 'data.price is a Money instance'],
    ['undefined in an array', [1, undefined], 'data[1] is undefined, which JSON turns into null'],
    ['a property set to undefined', { a: undefined }, 'data.a is undefined, which JSON drops'],
    [
      'a nested property set to undefined',
      { user: { id: 1, email: undefined } },
      'data.user.email is undefined, which JSON drops',
    ],
    ['an object with toJSON', { value: { toJSON: () => 1 } }, 'data.value has a toJSON method'],
    ['a key that is no identifier', { 'user id': () => {} }, 'data["user id"] is a function'],
    ['a top-level BigInt', 5n, 'data is a BigInt'],
  ])('rejects data holding %s with JobDataError naming where', async (_label, data, expected) => {
    const { queue, handler } = queueWith()
    const refused = queue.add('sendEmail', data)
    await expect(refused).rejects.toBeInstanceOf(JobDataError)
    await expect(refused).rejects.toMatchObject({ code: 'LOOPWORK_JOB_DATA_NOT_JSON' })
    await expect(refused).rejects.toThrow(expected)
    await expect(refused).rejects.toThrow(/nothing was enqueued/)
    await queue.onIdle()
    expect(handler).not.toHaveBeenCalled()
    expect(queue.stats().completed).toBe(0)
  })

  it('rejects cycles, also deep ones, with the path where the cycle closes', async () => {
    const { queue } = queueWith()
    const order: Record<string, unknown> = { id: 1, lines: [{ sku: 'a' }] }
    ;(order.lines as Record<string, unknown>[])[0]!.order = order
    await expect(queue.add('sendEmail', order)).rejects.toThrow(
      'data.lines[0].order refers back to an object that contains it (a cycle)',
    )
  })

  it('accepts JSON data: nested plain objects, arrays, null, strings, finite numbers, booleans, shared non-cyclic objects', async () => {
    const received: unknown[] = []
    const { queue } = queueWith(vi.fn((data: unknown) => void received.push(data)))
    const shared = { x: 1 }
    const data = {
      text: 'é',
      count: -1.5,
      ok: false,
      none: null,
      list: [shared, shared, [[]]],
      bare: Object.assign(Object.create(null), { k: 'v' }),
    }
    await queue.add('sendEmail', data)
    await queue.add('sendEmail', 'just a string')
    await queue.onIdle()
    expect(received).toEqual([data, 'just a string'])
  })

  it('rejects bad add() options naming the option and the value', async () => {
    const { queue, handler } = queueWith()
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ priority: 1.5 }, /priority must be an integer from -1000000 to 1000000, got 1.5/],
      [{ priority: 2_000_000 }, /priority must be an integer/],
      [{ priority: '1' }, /priority must be an integer from -1000000 to 1000000, got "1"/],
      [{ delayMs: -1 }, /delayMs must be a number of milliseconds from 0 to 2147483647, got -1/],
      [{ delayMs: Number.NaN }, /delayMs must be a number of milliseconds/],
      [{ delayMs: 2_147_483_648 }, /delayMs must be a number of milliseconds from 0 to 2147483647/],
      [{ delayMs: Number.POSITIVE_INFINITY }, /delayMs must be .* got Infinity/],
      [{ retries: -1 }, /retries must be an integer from 0 to Number.MAX_SAFE_INTEGER, got -1/],
      [{ retries: Number.NaN }, /retries must be an integer from 0 .*, got NaN/],
      [{ jobId: '' }, /jobId must be a non-empty string, got ""/],
      [{ jobId: '42' }, /jobId must be a string that is not an integer/],
      [{ jobId: 'a:b' }, /jobId must be a string without ":", got "a:b"/],
      [{ jobId: 7 }, /jobId must be a non-empty string, got 7/],
      [{ dealyMs: 5 }, /Unknown option "dealyMs" in add\(\) options \(did you mean "delayMs"\?\)/],
      [{ priorty: 1 }, /did you mean "priority"/],
    ]
    for (const [options, message] of cases) {
      await expect(queue.add('sendEmail', {}, options as never)).rejects.toThrow(message)
    }
    await expect(queue.add('sendEmail', {}, { priority: 1.5 })).rejects.toBeInstanceOf(RangeError)
    await expect(queue.add('sendEmail', {}, { priority: '1' } as never)).rejects.toBeInstanceOf(
      TypeError,
    )
    await expect(queue.add('sendEmail', {}, 'urgent' as never)).rejects.toThrow(
      /add\(\) options must be an options object, got "urgent"/,
    )
    await expect(queue.add('sendEmail', {}, { delayMs: 2_147_483_648 })).rejects.toMatchObject({
      name: 'RangeError',
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'delayMs',
    })
    await expect(queue.add('sendEmail', {}, { dealyMs: 5 } as never)).rejects.toMatchObject({
      name: 'TypeError',
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'dealyMs',
    })
    expect(queue.stats()).toMatchObject({ waiting: 0, delayed: 0 })
    await queue.onIdle()
    expect(handler).not.toHaveBeenCalled()
  })

  it('rejects bad queue options at construction, naming the option and the value', () => {
    const handlers = { work: () => {} }
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { concurrency: 0 },
        /concurrency must be an integer from 1 to Number.MAX_SAFE_INTEGER, got 0/,
      ],
      [{ concurrency: Number.NaN }, /concurrency must be an integer from 1 .*, got NaN/],
      [{ maxWaiting: -1 }, /maxWaiting must be an integer from 1 .*, or Infinity, got -1/],
      [{ retries: -2 }, /retries must be an integer from 0 .*, got -2/],
      [{ timeoutMs: -1 }, /timeoutMs must be a number of milliseconds from 1 to 2147483647/],
      [
        { timeoutMs: 0 },
        /timeoutMs must be a number of milliseconds from 1 to 2147483647, or Infinity for no limit, got 0/,
      ],
      [
        { timeoutMs: 2_147_483_648 },
        /timeoutMs must be a number of milliseconds from 1 to 2147483647/,
      ],
      [{ keepCompleted: 1.5 }, /keepCompleted must be an integer from 0 .*, got 1.5/],
      [{ maxDeadLetters: Number.NaN }, /maxDeadLetters must be an integer from 0 .*, got NaN/],
      [
        { backoff: { type: 'fixed', delayMs: -5 } },
        /backoff.delayMs must be a number of milliseconds/,
      ],
      [
        { backoff: { type: 'fixed', delayMs: 2_147_483_648 } },
        /backoff.delayMs must be a number of milliseconds from 0 to 2147483647/,
      ],
      [
        { backoff: { type: 'fixed', delayMs: 5, maxDelayMs: 2_147_483_648 } },
        /backoff.maxDelayMs must be a number of milliseconds from 0 to 2147483647/,
      ],
      [
        { backoff: { type: 'fixed', dlayMs: 5 } },
        /Unknown option "dlayMs" in backoff \(did you mean "delayMs"\?\)/,
      ],
      [{ name: '' }, /name must be a non-empty string, got ""/],
      [{ name: 'a:b' }, /name must be a name without ":", got "a:b"/],
      [{ onError: 'log' }, /onError must be a function, got "log"/],
      [{ maxSize: 5 }, /Unknown option "maxSize" in TaskQueue options/],
      [
        { concurency: 5 },
        /Unknown option "concurency" in TaskQueue options \(did you mean "concurrency"\?\)/,
      ],
      [{ maxWaitng: 5 }, /did you mean "maxWaiting"/],
      // a BullMQ option is no in-memory option: refused, not silently ignored
      [
        { connection: 'redis://127.0.0.1:6379' },
        /Unknown option "connection" in TaskQueue options/,
      ],
    ]
    for (const [options, message] of cases) {
      const error = thrownBy(() => new TaskQueue({ handlers, ...options } as never))
      expect(error).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION' })
      expect(String(error)).toMatch(message)
    }
    expect(() => new TaskQueue({ handlers: { work: 'not a function' } } as never)).toThrow(
      /handlers.work must be a function, got "not a function"/,
    )
    expect(() => new TaskQueue({ handlers: {} })).toThrow(
      /handlers must be an object naming at least one job/,
    )
    expect(() => new TaskQueue({} as never)).toThrow(
      /handlers must be an object mapping job names to functions, got undefined/,
    )
    expect(() => new TaskQueue(undefined as never)).toThrow(
      /TaskQueue options must be an options object with handlers/,
    )
    expect(() => new TaskQueue({ handlers: 'work' } as never)).toThrow(
      /handlers must be an object, got "work"/,
    )
  })
})

describe('TaskQueue durations and option bags', () => {
  it('accepts timeoutMs: Infinity as no limit, and close() and result() refuse unknown options', async () => {
    const queue = new TaskQueue({
      timeoutMs: Number.POSITIVE_INFINITY,
      handlers: { work: (n: number) => n },
    })
    const id = await queue.add('work', 1)
    expect(await queue.result(id)).toBe(1)
    await expect(queue.result(id, { sigal: undefined } as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'sigal',
      message: expect.stringMatching(/did you mean "signal"/),
    })
    await expect(queue.close({ timeout: 5 } as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'timeout',
      message: expect.stringMatching(/did you mean "timeoutMs"/),
    })
    await expect(queue.close({ timeoutMs: 2_147_483_648 })).rejects.toMatchObject({
      name: 'RangeError',
      message: expect.stringMatching(/from 0 to 2147483647, or Infinity for no limit/),
    })
    // a refused close() leaves the queue open
    expect(queue.stats().closed).toBe(false)
    expect(await queue.close({ timeoutMs: Number.POSITIVE_INFINITY })).toEqual({
      timedOut: false,
      aborted: [],
      notStarted: [],
    })
  })
})
