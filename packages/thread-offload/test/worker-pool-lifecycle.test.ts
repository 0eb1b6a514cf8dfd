import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { CapacityLimiter } from '@loopwork/limiter'
import { describe, expect, it } from 'vitest'
import { ClosedError, DEFAULT_IDLE_TIMEOUT_MS } from '../src/index.js'
import {
  createFlag,
  flush,
  hasStarted,
  poolFactory,
  rejectionOf,
  release,
  until,
} from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 2 })

describe('close()', () => {
  it('finishes every accepted call, waiting or queued, before it resolves', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 3 })
    const pool = createPool({ limiter })
    const calls = [
      ...Array.from({ length: 100 }, (_, index) => pool.run('add', [index, 1])),
      ...Array.from({ length: 5 }, () => pool.run('sleep', [5], { timeoutMs: 10_000 })),
    ]
    await flush()
    expect(pool.stats().waitingForToken).toBeGreaterThan(0)
    let closed = false
    const closing = pool.close().then(() => {
      closed = true
    })
    const outcomes = await Promise.allSettled(calls)
    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true)
    expect(
      outcomes.slice(0, 100).map((outcome) => (outcome as PromiseFulfilledResult<number>).value),
    ).toEqual(Array.from({ length: 100 }, (_, index) => index + 1))
    await closing
    expect(closed).toBe(true)
    expect(pool.stats()).toMatchObject({ threads: 0, completed: 105, failed: 0 })
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('rejects calls made after it with ClosedError', async () => {
    const pool = createPool()
    await pool.run('add', [1, 1])
    const closing = pool.close()
    const error = await rejectionOf(pool.run('add', [1, 1]))
    expect(error).toBeInstanceOf(ClosedError)
    expect(error.code).toBe('LOOPWORK_CLOSED')
    expect(error.message).toBe('Worker pool "tasks" is closed and takes no new calls')
    await closing
    await expect(pool.run('add', [1, 1])).rejects.toBeInstanceOf(ClosedError)
  })

  it('is idempotent', async () => {
    const pool = createPool({ minThreads: 1 })
    const first = pool.close()
    expect(pool.close()).toBe(first)
    await first
    await expect(pool.close()).resolves.toBeUndefined()
  })
})

describe('destroy()', () => {
  it('rejects what is left at once with ClosedError and terminates the threads', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 2 })
    // One thread: one call runs, one waits behind it on the thread, the rest wait for a token.
    const pool = createPool({ limiter, maxThreads: 1 })
    const flag = createFlag()
    const running = pool.run('startedThenBlock', [flag])
    const others = Array.from({ length: 10 }, () => pool.run('add', [1, 1]))
    const settled = Promise.allSettled([running, ...others])
    await until(() => hasStarted(flag))
    expect(pool.stats()).toMatchObject({
      running: 1,
      waiting: 10,
      waitingForToken: 9,
      inFlight: 2,
    })
    const exits: string[] = []
    pool.on('threadExit', (event) => exits.push(event.reason))
    await pool.destroy()
    const outcomes = await settled
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected')
      const error = (outcome as PromiseRejectedResult).reason
      expect(error).toBeInstanceOf(ClosedError)
      expect(error.message).toBe('Worker pool "tasks" was destroyed before this call finished')
    }
    expect(exits.length).toBeGreaterThan(0)
    expect(exits.every((reason) => reason === 'close')).toBe(true)
    expect(pool.stats()).toMatchObject({ threads: 0, running: 0, waiting: 0 })
    await flush()
    expect(limiter.borrowedTokens).toBe(0)
    expect(limiter.waiting).toBe(0)
    release(flag)
  })

  it('settles a pending close()', async () => {
    const pool = createPool()
    const flag = createFlag()
    const running = pool.run('startedThenBlock', [flag])
    const rejected = expect(running).rejects.toBeInstanceOf(ClosedError)
    await until(() => hasStarted(flag))
    const closing = pool.close()
    await pool.destroy()
    await expect(closing).resolves.toBeUndefined()
    await rejected
  })
})

describe('idle threads', () => {
  it('exit after idleTimeoutMs down to minThreads', async () => {
    const pool = createPool({ minThreads: 1, maxThreads: 3, idleTimeoutMs: 50 })
    const flag = createFlag()
    const blocked = Array.from({ length: 3 }, () =>
      pool.run('blockUntil', [flag], { timeoutMs: 60_000 }),
    )
    await until(() => pool.stats().running === 3)
    expect(pool.stats().threads).toBe(3)
    const idleExits: number[] = []
    pool.on('threadExit', (event) => {
      if (event.reason === 'idle') idleExits.push(event.threadId)
    })
    release(flag)
    await Promise.all(blocked)
    await until(() => idleExits.length === 2)
    expect(pool.stats().threads).toBe(1)
    await expect(pool.run('add', [1, 2])).resolves.toBe(3)
  })

  it('default to a 10 s idle timeout', () => {
    expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(10_000)
    expect(createPool().idleTimeoutMs).toBe(10_000)
  })
})

describe('the process', () => {
  const script = fileURLToPath(new URL('./fixtures/idle-process.ts', import.meta.url))
  const run = (mode: string) =>
    promisify(execFile)(
      process.execPath,
      ['--conditions=@loopwork/source', '--import', 'tsx', script, mode],
      { timeout: 15_000 },
    )

  it('is not kept alive by an idle pool that was never closed', async () => {
    const { stdout } = await run('idle')
    expect(stdout.trim()).toBe('result 5')
  })

  it('is kept alive while a call is pending', async () => {
    const { stdout } = await run('pending')
    expect(stdout.trim()).toBe('result 200')
  })
})
