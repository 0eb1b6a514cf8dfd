import { afterAll, describe, expect, it } from 'vitest'
import { WorkerPool } from '../src/index.js'
import { createFlag, hasStarted, release, type Tasks, tasksModule, until } from './pool-fixtures.js'

const pool = new WorkerPool<Tasks>({ module: tasksModule, maxThreads: 1 })
afterAll(() => pool.destroy())

describe('results of calls that share a thread', () => {
  it('arrive while a slow call after them still runs', async () => {
    // Teach the thread that startedThenBlock is slow (it runs for at least 5 ms) and add quick.
    const warmFlag = createFlag()
    const warm = pool.run('startedThenBlock', [warmFlag])
    await until(() => hasStarted(warmFlag))
    await new Promise((resolve) => setTimeout(resolve, 5))
    release(warmFlag)
    await warm
    await Promise.all(Array.from({ length: 50 }, () => pool.run('add', [1, 1])))
    const flag = createFlag()
    // One thread, one tick: all of these travel in one batch, the blocking call last.
    const quick = Array.from({ length: 20 }, (_, index) => pool.run('add', [index, 0]))
    const blocked = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    await expect(Promise.all(quick)).resolves.toHaveLength(20)
    release(flag)
    await expect(blocked).resolves.toBe('released')
  })

  it('arrive when the call after them is a task never seen before', async () => {
    const fresh = new WorkerPool<Tasks>({ module: tasksModule, maxThreads: 1 })
    try {
      await fresh.run('add', [0, 0])
      const flag = createFlag()
      const quick = [fresh.run('add', [1, 1]), fresh.run('add', [2, 2])]
      const blocked = fresh.run('startedThenBlock', [flag])
      await until(() => hasStarted(flag))
      await expect(Promise.all(quick)).resolves.toEqual([2, 4])
      release(flag)
      await blocked
    } finally {
      await fresh.destroy()
    }
  })
})
