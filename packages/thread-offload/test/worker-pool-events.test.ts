import { describe, expect, expectTypeOf, it } from 'vitest'
import type { TaskEndEvent, TaskErrorEvent, ThreadExitReason } from '../src/index.js'
import { createFlag, hasStarted, poolFactory, release, until } from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 1 })

describe('events', () => {
  it('reports task start and end with name, thread, run time and wait time', async () => {
    const pool = createPool()
    const starts: unknown[] = []
    const ends: { name: string; durationMs: number; waitMs: number; threadId: number }[] = []
    pool.on('taskStart', (event) => starts.push(event))
    pool.on('taskEnd', (event) => ends.push(event))
    await pool.run('spin', [5])
    const threadId = await pool.run('currentThreadId', [])
    expect(starts).toHaveLength(2)
    expect(starts[0]).toEqual({ name: 'spin', waitMs: expect.any(Number), threadId })
    expect(ends).toHaveLength(2)
    expect(ends[0]).toEqual({
      name: 'spin',
      durationMs: expect.any(Number),
      waitMs: expect.any(Number),
      threadId,
    })
    expect(ends[0]!.durationMs).toBeGreaterThanOrEqual(5)
    expect(ends[0]!.waitMs).toBeGreaterThanOrEqual(0)
  })

  it('reports a failed call with its error, the same object the caller gets', async () => {
    const pool = createPool()
    const failures: TaskErrorEvent[] = []
    pool.on('taskError', (event) => failures.push(event))
    const error = await pool.run('throwInventory', ['SKU-4']).catch((caught: unknown) => caught)
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatchObject({
      name: 'throwInventory',
      error,
      threadId: expect.any(Number),
    })
    expect(failures[0]!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('reports calls rejected before they started, with no thread', async () => {
    const pool = createPool()
    const failures: TaskErrorEvent[] = []
    pool.on('taskError', (event) => failures.push(event))
    const flag = createFlag()
    const blocker = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    const controller = new AbortController()
    const queued = pool.run('add', [1, 2], { signal: controller.signal }).catch(() => 'aborted')
    controller.abort()
    expect(await queued).toBe('aborted')
    expect(failures).toEqual([
      {
        name: 'add',
        error: expect.objectContaining({ name: 'AbortError' }),
        durationMs: 0,
        waitMs: expect.any(Number),
        threadId: undefined,
      },
    ])
    release(flag)
    await blocker
  })

  it('on() types each listener from the events map', async () => {
    const pool = createPool()
    const ended: string[] = []
    pool.on('taskEnd', (event) => {
      expectTypeOf(event).toEqualTypeOf<TaskEndEvent>()
      ended.push(event.name)
    })
    pool.on('threadExit', ({ reason }) => expectTypeOf(reason).toEqualTypeOf<ThreadExitReason>())
    // @ts-expect-error a taskEnd event carries no error
    pool.on('taskEnd', ({ error }: TaskErrorEvent) => error)
    await pool.run('add', [1, 2])
    expect(ended).toEqual(['add'])
  })

  it('reports threads starting and exiting', async () => {
    const pool = createPool()
    const spawned: number[] = []
    const exited: unknown[] = []
    pool.on('threadSpawn', (event) => spawned.push(event.threadId))
    pool.on('threadExit', (event) => exited.push(event))
    const threadId = await pool.run('currentThreadId', [])
    expect(spawned).toEqual([threadId])
    await pool.close()
    expect(exited).toEqual([{ threadId, exitCode: 1, reason: 'close', error: undefined }])
  })
})

describe('stats()', () => {
  it('counts threads, calls and outcomes, with run and wait time percentiles', async () => {
    const pool = createPool({ maxThreads: 2 })
    const idle = pool.stats()
    expect(idle).toEqual({
      name: 'tasks',
      threads: 0,
      busy: 0,
      minThreads: 0,
      maxThreads: 2,
      running: 0,
      waiting: 0,
      waitingForToken: 0,
      inFlight: 0,
      completed: 0,
      failed: 0,
      crashed: 0,
      runTime: { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 },
      waitTime: { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 },
      utilization: 0,
    })
    await Promise.all(Array.from({ length: 20 }, () => pool.run('spin', [2])))
    await pool.run('throwString', ['x']).catch(() => {})
    const flag = createFlag()
    const blocked = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    const stats = pool.stats()
    expect(stats).toMatchObject({
      threads: 2,
      busy: 1,
      running: 1,
      inFlight: 1,
      completed: 20,
      failed: 1,
    })
    const { runTime, waitTime } = stats
    expect(runTime.p50).toBeGreaterThanOrEqual(2)
    expect(runTime.p50).toBeLessThanOrEqual(runTime.p90)
    expect(runTime.p90).toBeLessThanOrEqual(runTime.p99)
    expect(runTime.p99).toBeLessThanOrEqual(runTime.max)
    expect(runTime.mean).toBeGreaterThan(0)
    expect(waitTime.p50).toBeLessThanOrEqual(waitTime.max)
    expect(stats.utilization).toBeGreaterThan(0)
    expect(stats.utilization).toBeLessThanOrEqual(1)
    release(flag)
    await blocked
  })
})
