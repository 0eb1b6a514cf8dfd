import { describe, expect, it } from 'vitest'
import { poolFactory, rejectionOf } from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 1 })

/** Cell 0 counts reads of `then`, cell 1 calls of it. */
function counters(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8))
}

describe('a task that returns a thenable', () => {
  it('has its then() called exactly once, and resolves with what it gives', async () => {
    const pool = createPool()
    const counts = counters()
    await expect(pool.run('returnThenable', [counts, 'resolve'])).resolves.toBe('rows')
    expect(Array.from(counts)).toEqual([1, 1])
  })

  it('has its then() called exactly once when it rejects', async () => {
    const pool = createPool()
    const counts = counters()
    const error = await rejectionOf(pool.run('returnThenable', [counts, 'reject']))
    expect(error.message).toBe('query failed')
    expect(Array.from(counts)).toEqual([1, 1])
  })

  it('has its then() called once per call in a batch of them', async () => {
    const pool = createPool()
    await pool.run('add', [1, 1])
    const all = Array.from({ length: 10 }, () => counters())
    await Promise.all(all.map((counts) => pool.run('returnThenable', [counts, 'resolve'])))
    expect(all.map((counts) => Array.from(counts))).toEqual(all.map(() => [1, 1]))
  })
})
