import { afterAll, describe, expect, it } from 'vitest'
import { WorkerPool } from '../src/index.js'
import { spin } from './fixtures/tasks.js'
import { type Tasks, tasksModule } from './pool-fixtures.js'

const pool = new WorkerPool<Tasks>({ module: tasksModule, maxThreads: 1 })
afterAll(() => pool.close())

/** Counts setImmediate callbacks (turns of the event loop) while `work` runs. */
async function turnsDuring(work: () => unknown): Promise<number> {
  let turns = 0
  let running = true
  const tick = () => {
    turns++
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  const before = turns
  await work()
  const during = turns - before
  running = false
  return during
}

describe('the event loop keeps turning while a thread works', () => {
  it('runs setImmediate callbacks during a long CPU task in the pool, none during the same task inline', async () => {
    await pool.run('add', [1, 1])
    const inPool = await turnsDuring(() => pool.run('spin', [300]))
    const inline = await turnsDuring(() => spin(300))
    expect(inPool).toBeGreaterThan(0)
    expect(inline).toBe(0)
  })
})
