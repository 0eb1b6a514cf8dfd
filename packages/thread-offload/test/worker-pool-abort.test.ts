import { CapacityLimiter } from '@loopwork/limiter'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AbortError, TimeoutError } from '../src/index.js'
import {
  createFlag,
  flush,
  hasStarted,
  nextEvent,
  poolFactory,
  rejectionOf,
  release,
  until,
} from './pool-fixtures.js'

const createPool = poolFactory({ maxThreads: 1 })

afterEach(() => {
  vi.useRealTimers()
})

describe('cancelling with a signal', () => {
  it('rejects at once when the signal is already aborted', async () => {
    const pool = createPool()
    const reason = new Error('client went away')
    const error = await rejectionOf(pool.run('add', [1, 2], { signal: AbortSignal.abort(reason) }))
    expect(error).toBeInstanceOf(AbortError)
    expect(error.name).toBe('AbortError')
    expect(error.code).toBe('ABORT_ERR')
    expect(error.cause).toBe(reason)
    expect(pool.stats().threads).toBe(0)
  })

  it('removes a call waiting for a limiter token from the limiter queue', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const pool = createPool({ limiter })
    const flag = createFlag()
    const blocker = pool.run('blockUntil', [flag])
    const controller = new AbortController()
    const waiting = pool.run('add', [1, 2], { signal: controller.signal })
    await flush()
    expect(limiter.waiting).toBe(1)
    expect(pool.stats().waitingForToken).toBe(1)
    controller.abort('changed my mind')
    const error = await rejectionOf(waiting)
    expect(error).toBeInstanceOf(AbortError)
    expect(error.cause).toBe('changed my mind')
    expect(limiter.waiting).toBe(0)
    expect(pool.stats()).toMatchObject({ waitingForToken: 0, waiting: 0 })
    release(flag)
    await expect(blocker).resolves.toBe('released')
    expect(limiter.borrowedTokens).toBe(0)
  })

  it('removes a call queued for a thread without touching the running one', async () => {
    const pool = createPool()
    const flag = createFlag()
    const blocker = pool.run('blockUntil', [flag])
    const controller = new AbortController()
    // A call with a signal waits for a thread of its own, so it queues behind the blocker.
    const queued = pool.run('add', [1, 2], { signal: controller.signal })
    await until(() => pool.stats().running === 1)
    expect(pool.stats().waiting).toBe(1)
    controller.abort()
    await expect(queued).rejects.toBeInstanceOf(AbortError)
    expect(pool.stats()).toMatchObject({ waiting: 0, running: 1 })
    release(flag)
    await expect(blocker).resolves.toBe('released')
    expect(pool.stats().crashed).toBe(0)
  })

  it('terminates and replaces the thread of a running call', async () => {
    const pool = createPool()
    const first = await pool.run('currentThreadId', [])
    const flag = createFlag()
    const controller = new AbortController()
    const running = pool.run('startedThenBlock', [flag], { signal: controller.signal })
    await until(() => hasStarted(flag))
    const exited = nextEvent(pool, 'threadExit')
    controller.abort(new Error('deadline'))
    const error = await rejectionOf(running)
    expect(error).toBeInstanceOf(AbortError)
    expect(error.cause.message).toBe('deadline')
    expect(await exited).toMatchObject({ threadId: first, reason: 'abort' })
    await expect(pool.run('currentThreadId', [])).resolves.not.toBe(first)
    expect(pool.stats()).toMatchObject({ crashed: 0, failed: 1, completed: 2 })
  })

  it('leaves calls of other callers alone', async () => {
    const pool = createPool({ maxThreads: 2 })
    const flag = createFlag()
    const controller = new AbortController()
    const running = pool.run('startedThenBlock', [flag], { signal: controller.signal })
    const others = Array.from({ length: 20 }, (_, index) => pool.run('add', [index, 1]))
    await until(() => hasStarted(flag))
    controller.abort()
    await expect(running).rejects.toBeInstanceOf(AbortError)
    await expect(Promise.all(others)).resolves.toHaveLength(20)
  })
})

describe('timeoutMs', () => {
  it('stops a call running longer than timeoutMs and replaces its thread', async () => {
    const pool = createPool()
    const first = await pool.run('currentThreadId', [])
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const flag = createFlag()
    const running = pool.run('startedThenBlock', [flag], { timeoutMs: 50 })
    await until(() => hasStarted(flag))
    const exited = nextEvent(pool, 'threadExit')
    vi.advanceTimersByTime(49)
    await flush()
    expect(pool.stats().running).toBe(1)
    vi.advanceTimersByTime(1)
    const error = await rejectionOf(running)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error.code).toBe('LOOPWORK_TIMEOUT')
    expect(error.timeoutMs).toBe(50)
    expect(await exited).toMatchObject({ threadId: first, reason: 'timeout' })
    vi.useRealTimers()
    await expect(pool.run('currentThreadId', [])).resolves.not.toBe(first)
  })

  it('does not count the time a call waits in the queue', async () => {
    const pool = createPool()
    await pool.run('echo', [0])
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const flag = createFlag()
    const blocker = pool.run('startedThenBlock', [flag])
    await until(() => hasStarted(flag))
    let settled = false
    const queued = pool.run('add', [20, 22], { timeoutMs: 50 })
    queued.finally(() => {
      settled = true
    })
    await flush()
    expect(pool.stats().waiting).toBe(1)
    // Far past timeoutMs while it waits: no timer runs yet, since none has started.
    vi.advanceTimersByTime(1_000)
    await flush()
    expect(settled).toBe(false)
    release(flag)
    await expect(blocker).resolves.toBe('released')
    await expect(queued).resolves.toBe(42)
  })

  it('rejects an invalid timeoutMs with a clear error', async () => {
    const pool = createPool()
    const error = await rejectionOf(pool.run('add', [1, 2], { timeoutMs: -1 }))
    expect(error).toBeInstanceOf(RangeError)
    expect(error.message).toBe(
      'timeoutMs must be a number of milliseconds from 0 to 2147483647, or Infinity for no limit, got -1',
    )
  })
})
