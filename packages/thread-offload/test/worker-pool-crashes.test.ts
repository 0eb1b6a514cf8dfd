import { describe, expect, it } from 'vitest'
import { WorkerCrashedError } from '../src/index.js'
import { nextEvent, poolFactory, rejectionOf, until } from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 1 })

describe('a thread that dies', () => {
  it('rejects only its own call on process.exit, and the calls queued behind it still run', async () => {
    const pool = createPool()
    const first = await pool.run('currentThreadId', [])
    const exited = nextEvent(pool, 'threadExit')
    // One thread: the echo calls travel in the same batch as the exit, behind it.
    const dying = pool.run('exit', [3])
    const behind = Array.from({ length: 10 }, (_, index) => pool.run('echo', [index]))
    const error = await rejectionOf(dying)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(error.code).toBe('LOOPWORK_WORKER_CRASHED')
    expect(error.exitCode).toBe(3)
    expect(error.threadId).toBe(first)
    await expect(Promise.all(behind)).resolves.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(await exited).toMatchObject({ threadId: first, exitCode: 3, reason: 'crash' })
    const replacement = await pool.run('currentThreadId', [])
    expect(replacement).not.toBe(first)
    expect(pool.stats()).toMatchObject({ crashed: 1, failed: 1, completed: 12 })
  })

  it('keeps results that finished in the same batch before the exit', async () => {
    const pool = createPool()
    await pool.run('echo', [0])
    const before = [pool.run('add', [1, 1]), pool.run('add', [2, 2])]
    const dying = pool.run('exit', [4])
    await expect(Promise.all(before)).resolves.toEqual([2, 4])
    await expect(dying).rejects.toBeInstanceOf(WorkerCrashedError)
  })

  it('rejects a call queued behind the crash whose arguments were transferred to the dead thread', async () => {
    const pool = createPool()
    await pool.run('echo', [0])
    const bytes = new Uint8Array(64)
    const dying = pool.run('exit', [5])
    const moved = pool.run('byteLength', [bytes], { transfer: [bytes.buffer] })
    const copied = pool.run('byteLength', [new Uint8Array(32)])
    await expect(dying).rejects.toBeInstanceOf(WorkerCrashedError)
    const error = await rejectionOf(moved)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(error.exitCode).toBe(5)
    await expect(copied).resolves.toBe(32)
  })

  it('rejects the running call when an exception escapes outside the task', async () => {
    const pool = createPool()
    const error = await rejectionOf(pool.run('crashWhileWaiting', []))
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.cause.message).toBe('thrown by a timer')
    await expect(pool.run('add', [1, 2])).resolves.toBe(3)
  })

  it('replaces a thread that dies while idle, rejecting nothing', async () => {
    const pool = createPool()
    const exited = nextEvent(pool, 'threadExit')
    await expect(pool.run('throwLater', [])).resolves.toBe('scheduled')
    const exit = await exited
    expect(exit.reason).toBe('crash')
    expect((exit.error as Error).message).toBe('thrown outside a task')
    await expect(pool.run('add', [2, 2])).resolves.toBe(4)
    expect(pool.stats()).toMatchObject({ failed: 0, crashed: 1 })
  })

  it('rejects a call that runs out of memory under resourceLimits, and goes on', async () => {
    const pool = createPool({ resourceLimits: { maxOldGenerationSizeMb: 32 } })
    const dying = pool.run('exhaustMemory', [])
    const behind = pool.run('add', [20, 22])
    const error = await rejectionOf(dying)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(error.cause.code).toBe('ERR_WORKER_OUT_OF_MEMORY')
    await expect(behind).resolves.toBe(42)
  })

  it('spreads calls taken back from a dead thread over the other threads', async () => {
    const pool = createPool({ maxThreads: 2, minThreads: 2 })
    await until(() => pool.stats().threads === 2)
    const calls = [
      pool.run('exit', [1]),
      ...Array.from({ length: 50 }, (_, index) => pool.run('add', [index, 0])),
    ]
    const outcomes = await Promise.allSettled(calls)
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(1)
    expect(outcomes[0]!.status).toBe('rejected')
  })
})
