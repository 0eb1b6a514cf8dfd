import { afterEach, describe, expect, it } from 'vitest'
import { WorkerPool } from '../src/index.js'
import { createFlag, hasStarted, release, type Tasks, tasksModule, until } from './pool-fixtures.js'

const pools: WorkerPool<any>[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.destroy()))
})

describe('calls handed to a busy thread', () => {
  it('are taken back and run elsewhere when another thread runs dry', async () => {
    const pool = new WorkerPool<Tasks>({ module: tasksModule, minThreads: 2, maxThreads: 2 })
    pools.push(pool)
    // Both threads ready, so the burst below is split between them.
    await Promise.all([pool.run('spin', [20]), pool.run('spin', [20])])
    const flag = createFlag()
    let blockerSettled = false
    const blocker = pool.run('startedThenBlock', [flag]).finally(() => {
      blockerSettled = true
    })
    const quick = Array.from({ length: 40 }, () => pool.run('currentThreadId', []))
    await until(() => hasStarted(flag))
    // Some of these were queued behind the blocked call on its thread: they still finish.
    const threads = new Set(await Promise.all(quick))
    expect(blockerSettled).toBe(false)
    expect(threads.size).toBe(1)
    expect(pool.stats()).toMatchObject({ running: 1, completed: 42 })
    release(flag)
    await expect(blocker).resolves.toBe('released')
  })
})
