import { availableParallelism } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { WorkerPool } from '../src/index.js'
import { rejectionOf, type Tasks, tasksModule } from './pool-fixtures.js'

const pools: WorkerPool<any>[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.destroy()))
})

function construct(options: Record<string, unknown>) {
  return () => {
    pools.push(new WorkerPool({ module: tasksModule, ...options } as never))
  }
}

describe('pool options', () => {
  it('has documented defaults', () => {
    const pool = new WorkerPool({ module: tasksModule })
    pools.push(pool)
    expect(pool.maxThreads).toBe(availableParallelism())
    expect(pool.minThreads).toBe(0)
    expect(pool.idleTimeoutMs).toBe(10_000)
    expect(pool.maxQueue).toBe(10_000)
    expect(pool.name).toBe('tasks')
    expect(pool.stats().threads).toBe(0)
  })

  it('starts minThreads threads at once', async () => {
    const pool = new WorkerPool({ module: tasksModule, minThreads: 2, maxThreads: 2 })
    pools.push(pool)
    expect(pool.stats().threads).toBe(2)
  })

  it.each([
    [{ maxThreads: 0 }, RangeError, 'maxThreads must be an integer >= 1, got 0'],
    [{ maxThreads: 1.5 }, RangeError, 'maxThreads must be an integer >= 1, got 1.5'],
    [{ maxThreads: '4' }, TypeError, 'maxThreads must be an integer >= 1, got "4"'],
    [{ minThreads: -1 }, RangeError, 'minThreads must be an integer >= 0, got -1'],
    [
      { minThreads: 3, maxThreads: 2 },
      RangeError,
      'minThreads must not exceed maxThreads (2), got 3',
    ],
    [
      { idleTimeoutMs: -5 },
      RangeError,
      'idleTimeoutMs must be a number of milliseconds >= 0 or Infinity, got -5',
    ],
    [{ maxQueue: Number.NaN }, RangeError, 'maxQueue must be an integer >= 0 or Infinity, got NaN'],
    [{ limiter: {} }, TypeError, 'limiter must be a CapacityLimiter, got an object (Object)'],
    [{ name: 7 }, TypeError, 'name must be a string, got 7'],
    [{ execArgv: '--inspect' }, TypeError, 'execArgv must be an array of strings, got "--inspect"'],
    [{ module: undefined }, TypeError, 'module must be a URL or an absolute path, got undefined'],
  ])('rejects %o with a clear error', (options, kind, message) => {
    expect(construct(options)).toThrow(kind)
    expect(construct(options)).toThrow(message)
  })

  it('rejects options that are not an object', () => {
    expect(() => new WorkerPool(undefined as never)).toThrow(
      'options must be an object with a module, got undefined',
    )
  })

  it('takes idleTimeoutMs Infinity and maxQueue Infinity', () => {
    construct({ idleTimeoutMs: Number.POSITIVE_INFINITY, maxQueue: Number.POSITIVE_INFINITY })()
    expect(pools[0]!.idleTimeoutMs).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('run arguments', () => {
  const pool = () => {
    const created = new WorkerPool<Tasks>({ module: tasksModule, maxThreads: 1 })
    pools.push(created)
    return created
  }

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
    expect(error.message).toBe('signal must be an AbortSignal, got an object (Object)')
  })

  it('rejects run options that are not an object', async () => {
    const error = await rejectionOf(pool().run('add', [1, 2], 'fast' as never))
    expect(error.message).toBe('run options must be an object, got "fast"')
  })
})
