import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest'
import {
  closeDefaultPools,
  currentDefaultThreadLimiter,
  defaultPool,
  toThread,
  UnknownTaskError,
} from '../src/index.js'
import { type Tasks, tasksModule } from './pool-fixtures.js'

afterAll(() => closeDefaultPools())

describe('toThread()', () => {
  it('runs one call in the shared default pool of the module', async () => {
    await expect(toThread(tasksModule, 'add', [40, 2])).resolves.toBe(42)
    const pool = defaultPool(tasksModule)
    expect(defaultPool(new URL(tasksModule.href))).toBe(pool)
    expect(pool.limiter).toBe(currentDefaultThreadLimiter())
    expect(pool.stats().completed).toBe(1)
    await toThread(tasksModule.href, 'add', [1, 1])
    await toThread(fileURLToPath(tasksModule), 'add', [1, 1])
    expect(defaultPool(fileURLToPath(tasksModule))).toBe(pool)
    expect(pool.stats().completed).toBe(3)
  })

  it('is typed from the module when asked', async () => {
    const result = toThread<Tasks, 'fib'>(tasksModule, 'fib', [10])
    expectTypeOf(result).toEqualTypeOf<Promise<number>>()
    await expect(result).resolves.toBe(55)
    // @ts-expect-error the argument of fib is a number
    await expect(toThread<Tasks, 'fib'>(tasksModule, 'fib', ['10'])).resolves.toBeDefined()
  })

  it('rejects like pool.run does', async () => {
    await expect(toThread(tasksModule, 'missing', [])).rejects.toBeInstanceOf(UnknownTaskError)
    await expect(toThread('relative.js', 'missing', [])).rejects.toThrow(
      'module must be a URL or an absolute path',
    )
  })

  it('starts afresh after closeDefaultPools()', async () => {
    const before = defaultPool(tasksModule)
    await closeDefaultPools()
    expect(defaultPool(tasksModule)).not.toBe(before)
    await expect(toThread(tasksModule, 'add', [1, 2])).resolves.toBe(3)
  })
})
