// The contract every loopwork primitive keeps (docs/conventions.md), checked on the real classes
// of every package at once: a name, stats() with the shared fields, errors with a code that any
// copy recognises, one rule for aborts, timeouts, unknown options and durations.

import {
  TaskQueue,
  TaskSupervisor,
  TimeoutError as TasksTimeoutError,
} from '@loopwork/background-tasks'
import { Batcher, QueueFullError as BatcherQueueFullError } from '@loopwork/batcher'
import {
  AbortError,
  CapacityLimiter,
  isLoopworkError,
  LoopworkError,
  QueueFullError,
  TimeoutError,
} from '@loopwork/limiter'
import type { RedisCapacityLimiter } from '@loopwork/limiter/redis'
import {
  createMetrics,
  createOverloadGuard,
  type TrackableBatcher,
  type TrackableLimiter,
  type TrackableOverloadGuard,
  type TrackableTaskQueue,
  type TrackableTaskSupervisor,
  type TrackableTtlCache,
  type TrackableWorkerPool,
} from '@loopwork/metrics'
import { WorkerPool } from '@loopwork/thread-offload'
import { TtlCache } from '@loopwork/ttl-cache'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import type { AdmissionLimiter } from '../../src/index.js'

type Tasks = typeof import('../fixtures/tasks.js')

const closers: Array<() => unknown> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

/** A pool of one thread, started on demand and destroyed after the test. */
function oneThreadPool(): WorkerPool<Tasks> {
  const pool = new WorkerPool<Tasks>({
    module: new URL('../fixtures/tasks.js', import.meta.url),
    minThreads: 0,
    maxThreads: 1,
  })
  closers.push(() => pool.destroy())
  return pool
}

function primitives() {
  const limiter = new CapacityLimiter({ name: 'db', totalTokens: 1, maxWaiting: 0 })
  const pool = new WorkerPool<Tasks>({
    name: 'cpu',
    module: new URL('../fixtures/tasks.js', import.meta.url),
    minThreads: 0,
    maxThreads: 1,
    maxWaiting: 0,
  })
  const queue = new TaskQueue({
    name: 'mail',
    handlers: { send: async (_data: { to: string }) => {} },
    maxWaiting: 1,
  })
  queue.pause()
  const supervisor = new TaskSupervisor({ name: 'jobs', maxRunning: 1 })
  const batcher = new Batcher<number, number>(async (keys) => keys.map((key) => key * 2), {
    name: 'users',
    maxWaiting: 1,
  })
  const cache = new TtlCache<string, number>({ name: 'items', max: 10, ttlMs: 1_000 })
  const guard = createOverloadGuard({ name: 'guard', maxEventLoopDelayMs: 1_000 })
  closers.push(
    () => pool.destroy(),
    () => queue.close({ timeoutMs: 0 }),
    () => supervisor.drain({ timeoutMs: 0 }),
    () => cache.close(),
    () => guard.close(),
  )
  return { limiter, pool, queue, supervisor, batcher, cache, guard }
}

describe('every primitive', () => {
  it('satisfies the structural types metrics.track() reads (checked at compile time)', () => {
    const { limiter, pool, queue, supervisor, batcher, cache, guard } = primitives()
    const shapes = [
      limiter satisfies TrackableLimiter,
      pool satisfies TrackableWorkerPool,
      queue satisfies TrackableTaskQueue,
      supervisor satisfies TrackableTaskSupervisor,
      batcher satisfies TrackableBatcher,
      cache satisfies TrackableTtlCache,
      guard satisfies TrackableOverloadGuard,
    ]
    expect(shapes).toHaveLength(7)
    // Both limiters admit requests through the adapters' concurrency limit.
    expectTypeOf<CapacityLimiter>().toExtend<AdmissionLimiter>()
    expectTypeOf<RedisCapacityLimiter>().toExtend<AdmissionLimiter>()
    expectTypeOf<RedisCapacityLimiter>().toExtend<TrackableLimiter>()
  })

  it('has a name, repeated in stats(), and stats() with waiting (and running where it runs work)', () => {
    const all = primitives()
    const expected = {
      limiter: 'db',
      pool: 'cpu',
      queue: 'mail',
      supervisor: 'jobs',
      batcher: 'users',
      cache: 'items',
      guard: 'guard',
    }
    for (const [key, name] of Object.entries(expected)) {
      const primitive = all[key as keyof typeof all]
      const stats = primitive.stats() as unknown as Record<string, unknown>
      expect(primitive.name, key).toBe(name)
      expect(stats.name, key).toBe(name)
      expect(typeof stats.waiting, `${key} stats().waiting`).toBe('number')
      if (key !== 'guard') expect(typeof stats.running, `${key} stats().running`).toBe('number')
      // One method name for counters: nobody keeps the old one.
      expect('statistics' in primitive, key).toBe(false)
    }
  })

  it('is tracked by metrics.track() through stats() alone', async () => {
    const { limiter, pool, queue, supervisor, batcher, cache, guard } = primitives()
    const metrics = createMetrics({ defaultMetrics: false })
    closers.push(() => metrics.close())
    for (const primitive of [limiter, pool, queue, supervisor, batcher, cache, guard]) {
      metrics.track(primitive)
    }
    const text = await metrics.render()
    for (const name of ['db', 'cpu', 'mail', 'jobs', 'users', 'items']) {
      expect(text).toContain(`name="${name}"`)
    }
  })

  it('refuses an unknown option with the same code and a suggestion', () => {
    const attempts: Array<[string, () => unknown]> = [
      ['totalTokens', () => new CapacityLimiter({ totlTokens: 4 } as never)],
      [
        'maxWaiting',
        () =>
          new WorkerPool<Tasks>({
            module: new URL('../fixtures/tasks.js', import.meta.url),
            maxWating: 1,
          } as never),
      ],
      ['maxRunning', () => new TaskSupervisor({ maxRuning: 1 } as never)],
      [
        'windowMs',
        () => new Batcher(async (keys: readonly number[]) => [...keys], { windowMS: 5 } as never),
      ],
      ['ttlMs', () => new TtlCache({ max: 1, ttlMS: 5 } as never)],
      ['concurrency', () => new TaskQueue({ handlers: { a: () => {} }, concurency: 2 } as never)],
    ]
    for (const [suggestion, attempt] of attempts) {
      let thrown: unknown
      try {
        attempt()
      } catch (error) {
        thrown = error
      }
      expect(thrown, suggestion).toBeInstanceOf(TypeError)
      expect(thrown, suggestion).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION' })
      expect((thrown as Error).message, suggestion).toContain(`did you mean "${suggestion}"`)
    }
  })

  it('refuses a duration past the timer range with a RangeError naming the maximum', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const attempts: Array<() => unknown> = [
      () => limiter.acquire({ timeoutMs: 3e9 }),
      () => new Batcher(async (keys: readonly number[]) => [...keys], { windowMs: 3e9 }),
      () => new TtlCache({ max: 1, ttlMs: 1, sweepIntervalMs: 3e9 }),
      () => new TaskSupervisor().spawn(async () => {}, { timeoutMs: 3e9 }),
      () =>
        new WorkerPool<Tasks>({
          module: new URL('../fixtures/tasks.js', import.meta.url),
          idleTimeoutMs: 3e9,
        }),
    ]
    for (const attempt of attempts) {
      let thrown: unknown
      try {
        await attempt()
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(RangeError)
      expect((thrown as Error).message).toContain('2147483647')
    }
  })
})

describe('errors', () => {
  it('every bound reached is a QueueFullError that any package recognises', async () => {
    const { limiter, pool, queue, supervisor } = primitives()
    // One batch in flight that never ends: the next key waits for the slot, the one after is refused.
    const batcher = new Batcher<number, number>(() => new Promise<number[]>(() => {}), {
      concurrency: 1,
      maxBatchSize: 1,
      maxWaiting: 1,
    })
    const held = await limiter.acquire()
    const blocker = new Int32Array(new SharedArrayBuffer(8))
    const running = pool.run('startedThenBlock', [blocker])
    running.catch(() => {})
    await supervisor.spawn(() => new Promise<void>(() => {}), { name: 'forever' })
    const failures = await Promise.allSettled([
      limiter.run(() => 1),
      pool.run('fib', [1]),
      // Paused: the first job waits, the second finds the queue full.
      queue.add('send', { to: 'a' }).then(() => queue.add('send', { to: 'b' })),
      Promise.resolve().then(() => supervisor.spawn(async () => {})),
      Promise.all([batcher.load(1), batcher.load(2), batcher.load(3)]),
    ])
    for (const [index, failure] of failures.entries()) {
      expect(failure.status, `primitive ${index}`).toBe('rejected')
      const reason = (failure as PromiseRejectedResult).reason
      expect(reason.code, `primitive ${index}`).toBe('LOOPWORK_QUEUE_FULL')
      // instanceof works across packages: the limiter's class, the batcher's bundled copy.
      expect(reason, `primitive ${index}`).toBeInstanceOf(QueueFullError)
      expect(reason, `primitive ${index}`).toBeInstanceOf(BatcherQueueFullError)
      expect(reason, `primitive ${index}`).toBeInstanceOf(LoopworkError)
      expect(isLoopworkError(reason, 'LOOPWORK_QUEUE_FULL')).toBe(true)
      expect(typeof reason.option).toBe('string')
      expect(typeof reason.limit).toBe('number')
    }
    held.release()
    Atomics.store(blocker, 0, 1)
    Atomics.notify(blocker, 0)
    await running
  })

  it('an abort rejects with an AbortError whose cause is the signal reason, everywhere', async () => {
    const reason = new Error('client went away')
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const held = await limiter.acquire()
    const cache = new TtlCache<string, number>({ max: 10, ttlMs: 1_000 })
    closers.push(() => cache.close())
    const batcher = new Batcher<number, number>(async (keys) => keys, { windowMs: 1_000 })
    const pool = oneThreadPool()
    const blocker = new Int32Array(new SharedArrayBuffer(8))
    const running = pool.run('startedThenBlock', [blocker])
    running.catch(() => {})
    const queue = new TaskQueue({ handlers: { slow: () => new Promise<void>(() => {}) } })
    closers.push(() => queue.close({ timeoutMs: 0 }))
    const id = await queue.add('slow')

    const controller = new AbortController()
    const pending = [
      limiter.acquire({ signal: controller.signal }),
      cache.getOrLoad('k', () => new Promise<number>(() => {}), { signal: controller.signal }),
      batcher.load(1, { signal: controller.signal }),
      pool.run('fib', [1], { signal: controller.signal }),
      queue.result(id, { signal: controller.signal }),
    ]
    controller.abort(reason)
    const outcomes = await Promise.allSettled(pending)
    for (const [index, outcome] of outcomes.entries()) {
      expect(outcome.status, `call ${index}`).toBe('rejected')
      const error = (outcome as PromiseRejectedResult).reason
      expect(error, `call ${index}`).toBeInstanceOf(AbortError)
      expect(error.name, `call ${index}`).toBe('AbortError')
      expect(error.code, `call ${index}`).toBe('ABORT_ERR')
      expect(error.cause, `call ${index}`).toBe(reason)
    }
    held.release()
    Atomics.store(blocker, 0, 1)
    Atomics.notify(blocker, 0)
    await running
  })

  it('a timeout rejects with a TimeoutError carrying timeoutMs, everywhere', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1 })
    const held = await limiter.acquire()
    // The timeout is what this test expects: no need to log it.
    const supervisor = new TaskSupervisor({ onError: () => {} })
    closers.push(() => supervisor.drain({ timeoutMs: 0 }))
    const pool = oneThreadPool()
    const blocker = new Int32Array(new SharedArrayBuffer(8))
    const handle = supervisor.spawn(() => new Promise<void>(() => {}), { timeoutMs: 20 })
    const outcomes = await Promise.allSettled([
      limiter.acquire({ timeoutMs: 20 }),
      handle.result(),
      pool.run('startedThenBlock', [blocker], { timeoutMs: 50 }),
    ])
    for (const [index, outcome] of outcomes.entries()) {
      expect(outcome.status, `call ${index}`).toBe('rejected')
      const error = (outcome as PromiseRejectedResult).reason
      expect(error, `call ${index}`).toBeInstanceOf(TimeoutError)
      expect(error, `call ${index}`).toBeInstanceOf(TasksTimeoutError)
      expect(error.code, `call ${index}`).toBe('LOOPWORK_TIMEOUT')
      expect(typeof error.timeoutMs, `call ${index}`).toBe('number')
    }
    held.release()
  })
})
