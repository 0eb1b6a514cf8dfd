import { afterAll, describe, expect, it } from 'vitest'
import { UncloneableValueError, WorkerPool } from '../src/index.js'
import { rejectionOf, type Tasks, tasksModule } from './pool-fixtures.js'

const pool = new WorkerPool<Tasks>({ module: tasksModule, maxThreads: 1 })
afterAll(() => pool.destroy())

describe('errors thrown in a task', () => {
  it('keep name, message, stack, code, cause and own properties', async () => {
    const error = await rejectionOf(pool.run('throwInventory', ['SKU-1']))
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('InventoryError')
    expect(error.message).toBe('Item SKU-1 is out of stock')
    expect(error.code).toBe('E_OUT_OF_STOCK')
    expect(error.sku).toBe('SKU-1')
    expect(error.details).toEqual({ warehouse: 'north', shelves: [3, 4] })
    expect(error.stack).toContain('InventoryError: Item SKU-1 is out of stock')
    expect(error.stack).toContain('throwInventory')
    expect(error.stack).toContain('fixtures/tasks.ts')
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.cause.message).toBe('stock count was NaN')
  })

  it('keep the same fields when an async task rejects', async () => {
    const error = await rejectionOf(pool.run('rejectInventory', ['SKU-2']))
    expect(error.name).toBe('InventoryError')
    expect(error.code).toBe('E_OUT_OF_STOCK')
    expect(error.sku).toBe('SKU-2')
    expect(Object.hasOwn(error, 'cause')).toBe(false)
  })

  it('pass a thrown non-Error value through as it was', async () => {
    await expect(pool.run('throwString', ['plain text'])).rejects.toBe('plain text')
  })

  it('rebuild an AggregateError with its inner errors', async () => {
    const error = await rejectionOf(pool.run('throwAggregate', []))
    expect(error).toBeInstanceOf(AggregateError)
    expect(error.message).toBe('several failed')
    expect(error.errors[0]).toBeInstanceOf(RangeError)
    expect(error.errors[1].message).toBe('second')
  })

  it('leave the thread usable', async () => {
    const before = await pool.run('currentThreadId', [])
    await rejectionOf(pool.run('throwInventory', ['SKU-3']))
    await expect(pool.run('currentThreadId', [])).resolves.toBe(before)
    await expect(pool.run('add', [1, 1])).resolves.toBe(2)
    expect(pool.stats().crashed).toBe(0)
  })

  it('reject a result that cannot be cloned without losing the thread', async () => {
    const before = await pool.run('currentThreadId', [])
    const error = await rejectionOf(pool.run('returnFunction', []))
    expect(error).toBeInstanceOf(UncloneableValueError)
    expect(error).toMatchObject({
      name: 'UncloneableValueError',
      code: 'LOOPWORK_UNCLONEABLE',
      taskName: 'returnFunction',
      part: 'result',
      path: 'result',
    })
    expect(error.message).toContain(
      'The result of task "returnFunction" cannot be copied back from its worker thread: result is a function',
    )
    expect(error.cause.name).toBe('DataCloneError')
    await expect(pool.run('currentThreadId', [])).resolves.toBe(before)
  })

  it('say where in a result the value that cannot be cloned sits', async () => {
    const error = await rejectionOf(pool.run('returnNestedFunction', []))
    expect(error).toBeInstanceOf(UncloneableValueError)
    expect(error.path).toBe('result.rows[1].format')
    expect(error.message).toContain(
      'result.rows[1].format is a function (format), which structured clone cannot copy',
    )
    // The results around it in the same batch still arrive.
    const [before, failed, after] = await Promise.allSettled([
      pool.run('add', [1, 1]),
      pool.run('returnNestedFunction', []),
      pool.run('add', [2, 2]),
    ])
    expect(before).toEqual({ status: 'fulfilled', value: 2 })
    expect(failed!.status).toBe('rejected')
    expect(after).toEqual({ status: 'fulfilled', value: 4 })
  })
})
