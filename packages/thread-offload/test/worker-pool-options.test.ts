import { availableParallelism } from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WorkerPool } from '../src/index.js'
import {
  createFlag,
  hasStarted,
  poolFactory,
  rejectionOf,
  release,
  tasksModule,
  until,
} from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 1 })

const pools: WorkerPool<any>[] = []
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(pools.splice(0).map((pool) => pool.destroy()))
})

function construct(options: Record<string, unknown>) {
  return () => {
    pools.push(new WorkerPool({ module: tasksModule, ...options } as never))
  }
}

/** The error `new WorkerPool` throws for these options. */
function constructionError(options: Record<string, unknown>): any {
  try {
    construct(options)()
  } catch (error) {
    return error
  }
  throw new Error('expected the constructor to throw')
}

describe('pool options', () => {
  it('has documented defaults', () => {
    const pool = new WorkerPool({ module: tasksModule })
    pools.push(pool)
    expect(pool.maxThreads).toBe(availableParallelism())
    expect(pool.minThreads).toBe(0)
    expect(pool.idleTimeoutMs).toBe(10_000)
    expect(pool.maxWaiting).toBe(10_000)
    expect(pool.name).toBe('tasks')
    expect(pool.stats().threads).toBe(0)
  })

  it('starts minThreads threads at once', async () => {
    const pool = new WorkerPool({ module: tasksModule, minThreads: 2, maxThreads: 2 })
    pools.push(pool)
    expect(pool.stats().threads).toBe(2)
  })

  it.each([
    [
      { maxThreads: 0 },
      RangeError,
      'maxThreads must be an integer from 1 to Number.MAX_SAFE_INTEGER, got 0',
    ],
    [
      { maxThreads: 1.5 },
      RangeError,
      'maxThreads must be an integer from 1 to Number.MAX_SAFE_INTEGER, got 1.5',
    ],
    [
      { maxThreads: '4' },
      TypeError,
      'maxThreads must be an integer from 1 to Number.MAX_SAFE_INTEGER, got "4"',
    ],
    [
      { minThreads: -1 },
      RangeError,
      'minThreads must be an integer from 0 to Number.MAX_SAFE_INTEGER, got -1',
    ],
    [
      { minThreads: 3, maxThreads: 2 },
      RangeError,
      'minThreads must be at most maxThreads (2), got 3',
    ],
    [
      { idleTimeoutMs: -5 },
      RangeError,
      'idleTimeoutMs must be a number of milliseconds from 0 to 2147483647, or Infinity for no limit, got -5',
    ],
    [
      { maxWaiting: Number.NaN },
      RangeError,
      'maxWaiting must be an integer from 0 to Number.MAX_SAFE_INTEGER, or Infinity, got NaN',
    ],
    [
      { limiter: {} },
      TypeError,
      'limiter must be a CapacityLimiter (an object with tryAcquire() and acquire() methods), got an object',
    ],
    [{ name: 7 }, TypeError, 'name must be a non-empty string, got 7'],
    [{ name: '' }, TypeError, 'name must be a non-empty string, got ""'],
    [{ execArgv: '--inspect' }, TypeError, 'execArgv must be an array of strings, got "--inspect"'],
    [{ execArgv: [42] }, TypeError, 'execArgv must be an array of strings, got an array'],
    [{ resourceLimits: 64 }, TypeError, 'resourceLimits must be an object, got 64'],
    [{ module: undefined }, TypeError, 'module must be a URL or an absolute path, got undefined'],
  ])('rejects %o with a clear error', (options, kind, message) => {
    const error = constructionError(options)
    expect(error).toBeInstanceOf(kind)
    expect(error.message).toContain(message)
    expect(error.code).toBe('LOOPWORK_INVALID_OPTION')
  })

  it('rejects options that are not an object', () => {
    expect(() => new WorkerPool(undefined as never)).toThrow(
      'WorkerPool options must be an options object with a module, got undefined',
    )
    expect(() => new WorkerPool('tasks.js' as never)).toThrow(TypeError)
  })

  it('takes idleTimeoutMs Infinity and maxWaiting Infinity', () => {
    construct({ idleTimeoutMs: Number.POSITIVE_INFINITY, maxWaiting: Number.POSITIVE_INFINITY })()
    expect(pools[0]!.idleTimeoutMs).toBe(Number.POSITIVE_INFINITY)
    expect(pools[0]!.maxWaiting).toBe(Number.POSITIVE_INFINITY)
  })

  it('counts an option set to undefined as left out', () => {
    construct({ maxThreads: undefined, name: undefined, limiter: undefined })()
    expect(pools[0]!.maxThreads).toBe(availableParallelism())
    expect(pools[0]!.name).toBe('tasks')
  })
})

describe('misspelled options', () => {
  it.each([
    ['maxWaitng', 'maxWaiting'],
    ['maxTreads', 'maxThreads'],
    ['idleTimeout', 'idleTimeoutMs'],
    ['minthreads', 'minThreads'],
  ])('refuses %s in the constructor, suggesting %s', (key, suggestion) => {
    const error = constructionError({ [key]: 4 })
    expect(error).toBeInstanceOf(TypeError)
    expect(error.code).toBe('LOOPWORK_INVALID_OPTION')
    expect(error.option).toBe(key)
    expect(error.message).toContain(`Unknown option "${key}" in WorkerPool options`)
    expect(error.message).toContain(`did you mean "${suggestion}"?`)
  })

  it('refuses a key nothing resembles, listing the known ones', () => {
    const error = constructionError({ colour: 'blue' })
    expect(error.message).toContain('Unknown option "colour"')
    expect(error.message).toContain('maxWaiting')
  })

  it.each([
    ['timeout', 'timeoutMs'],
    ['signl', 'signal'],
    ['transfers', 'transfer'],
  ])('refuses %s in run() options, suggesting %s', async (key, suggestion) => {
    const pool = createPool()
    const error = await rejectionOf(pool.run('add', [1, 2], { [key]: 5 } as never))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.code).toBe('LOOPWORK_INVALID_OPTION')
    expect(error.option).toBe(key)
    expect(error.message).toContain(`Unknown option "${key}" in run() options`)
    expect(error.message).toContain(`did you mean "${suggestion}"?`)
    expect(pool.stats()).toMatchObject({ threads: 0, waiting: 0 })
  })
})

describe('durations beyond what a timer can wait', () => {
  it('refuses an idleTimeoutMs above 2,147,483,647 ms, naming the maximum', () => {
    const error = constructionError({ idleTimeoutMs: 3e9 })
    expect(error).toBeInstanceOf(RangeError)
    expect(error.option).toBe('idleTimeoutMs')
    expect(error.message).toContain('from 0 to 2147483647')
  })

  it('takes idleTimeoutMs at the maximum', () => {
    construct({ idleTimeoutMs: 2_147_483_647 })()
    expect(pools[0]!.idleTimeoutMs).toBe(2_147_483_647)
  })

  it('refuses a timeoutMs above 2,147,483,647 ms instead of ending the call after 1 ms', async () => {
    const pool = createPool()
    const error = await rejectionOf(pool.run('spin', [5], { timeoutMs: 3e9 }))
    expect(error).toBeInstanceOf(RangeError)
    expect(error.code).toBe('LOOPWORK_INVALID_OPTION')
    expect(error.option).toBe('timeoutMs')
    expect(error.message).toContain('from 0 to 2147483647')
    expect(pool.stats()).toMatchObject({ threads: 0, waiting: 0, failed: 0 })
  })

  it('takes timeoutMs Infinity as no limit: no timer is started', async () => {
    const pool = createPool()
    await pool.run('add', [0, 0])
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const flag = createFlag()
    const unlimited = pool.run('startedThenBlock', [flag], { timeoutMs: Number.POSITIVE_INFINITY })
    await until(() => hasStarted(flag))
    expect(vi.getTimerCount()).toBe(0)
    release(flag)
    await expect(unlimited).resolves.toBe('released')
    // A finite timeoutMs does start its timer once the call runs.
    const limitedFlag = createFlag()
    const limited = pool.run('startedThenBlock', [limitedFlag], { timeoutMs: 60_000 })
    await until(() => hasStarted(limitedFlag))
    expect(vi.getTimerCount()).toBe(1)
    release(limitedFlag)
    await expect(limited).resolves.toBe('released')
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('run arguments', () => {
  const pool = createPool

  it('rejects a task name that is not a string', async () => {
    const error = await rejectionOf(pool().run(42 as never, [] as never))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toBe('task name must be a string, got 42')
  })

  it('rejects arguments that are not an array', async () => {
    const error = await rejectionOf(pool().run('add', 1 as never))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toBe('args of task "add" must be an array of its arguments, got 1')
  })

  it('rejects a signal that is not an AbortSignal', async () => {
    const error = await rejectionOf(pool().run('add', [1, 2], { signal: {} as never }))
    expect(error.message).toBe('signal must be an AbortSignal, got an object')
  })

  it('rejects run options that are not an object', async () => {
    const error = await rejectionOf(pool().run('add', [1, 2], 'fast' as never))
    expect(error.message).toBe('run() options must be an options object, got "fast"')
  })
})
