import { describe, expect, expectTypeOf, it } from 'vitest'
import { UnknownTaskError, WorkerPool } from '../src/index.js'
import { poolFactory, rejectionOf, tasksModule } from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 2 })

describe('running tasks', () => {
  it('runs an exported function in a thread and resolves with its result', async () => {
    const pool = createPool()
    await expect(pool.run('add', [2, 3])).resolves.toBe(5)
    await expect(pool.run('fib', [20])).resolves.toBe(6765)
  })

  it('awaits an async task in its thread', async () => {
    const pool = createPool()
    await expect(pool.run('sleep', [5])).resolves.toBe(5)
  })

  it('runs the call in another thread than the caller', async () => {
    const pool = createPool()
    const { threadId } = await import('node:worker_threads')
    const remote = await pool.run('currentThreadId', [])
    expect(remote).not.toBe(threadId)
    expect(remote).toBeGreaterThan(0)
  })

  it('copies arguments and results with structured clone', async () => {
    const pool = createPool()
    const input = { when: new Date(0), tags: new Set(['a']), nested: { list: [1, 2] } }
    const output = await pool.run('echo', [input])
    expect(output).toEqual(input)
    expect(output).not.toBe(input)
  })

  it('settles every call of a burst with its own result', async () => {
    const pool = createPool()
    const calls = Array.from({ length: 5_000 }, (_, index) => pool.run('add', [index, 1]))
    const results = await Promise.all(calls)
    expect(results).toEqual(Array.from({ length: 5_000 }, (_, index) => index + 1))
    expect(pool.stats().completed).toBe(5_000)
  })

  it('rejects an unknown task name with UnknownTaskError listing the exported functions', async () => {
    const pool = createPool()
    const error = await rejectionOf(pool.run('missing' as never, [] as never))
    expect(error).toBeInstanceOf(UnknownTaskError)
    expect(error.code).toBe('LOOPWORK_UNKNOWN_TASK')
    expect(error.taskName).toBe('missing')
    expect(error.available).toContain('fib')
    expect(error.available).not.toContain('notAFunction')
    expect(error.message).toContain('"missing"')
  })

  it('treats an export that is not a function as unknown', async () => {
    const pool = createPool()
    await expect(pool.run('notAFunction' as never, [] as never)).rejects.toBeInstanceOf(
      UnknownTaskError,
    )
    await expect(pool.run('echo', ['still usable'])).resolves.toBe('still usable')
  })
})

describe('types', () => {
  it('infers argument and result types from the module', async () => {
    const pool = createPool()
    const sum = pool.run('add', [1, 2])
    expectTypeOf(sum).toEqualTypeOf<Promise<number>>()
    const slept = pool.run('sleep', [1])
    expectTypeOf(slept).toEqualTypeOf<Promise<number>>()
    expectTypeOf(pool.run<'fib'>)
      .parameter(1)
      .toEqualTypeOf<[n: number]>()
    await expect(Promise.all([sum, slept])).resolves.toEqual([3, 1])
    const wrong = [
      // @ts-expect-error a name the module does not export
      pool.run('nope', []),
      // @ts-expect-error an argument of the wrong type
      pool.run('add', ['1', 2]),
      // @ts-expect-error an export that is not a function is not a task
      pool.run('notAFunction', []),
    ]
    // @ts-expect-error too few arguments
    wrong.push(pool.run('add', [1]))
    const outcomes = await Promise.allSettled(wrong)
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ])
  })

  it('accepts any task name and arguments for an untyped pool', async () => {
    const pool = new WorkerPool({ module: tasksModule, maxThreads: 1 })
    try {
      const result = pool.run('add', [1, 'two'])
      expectTypeOf(result).toEqualTypeOf<Promise<unknown>>()
      await expect(result).resolves.toBe('1two')
    } finally {
      await pool.destroy()
    }
  })
})
