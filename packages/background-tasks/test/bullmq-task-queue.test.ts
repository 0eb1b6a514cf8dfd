import { thrownBy } from '@loopwork/internal/test-support/thrown-by'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { describe, expect, it, vi } from 'vitest'
import { TaskQueue } from '../src/bullmq/index.js'
import {
  AbortError,
  ClosedError,
  JobDataError,
  JobFailedError,
  JobNotFoundError,
  QueueFullError,
  type TaskQueueApi,
  TimeoutError,
  UnknownJobError,
  UnrecoverableJobError,
} from '../src/index.js'
import { countingThenable } from './helpers/counting-thenable.js'
import { cleanUpAfterEach, redisUrl } from './helpers/redis.js'
import { watchUnhandledRejections } from './helpers/unhandled-rejections.js'

const unhandled = watchUnhandledRejections()
const cleanUp = cleanUpAfterEach()

/** A plain BullMQ view of the same queue, to look at what is really in Redis. */
function inspect(name: string): Queue {
  const queue = new Queue(name, { connection: { url: redisUrl } })
  cleanUp.track({ close: () => queue.close() })
  return queue
}

describe('TaskQueue on BullMQ: same interface, jobs in Redis', () => {
  it('stores a job, runs it in a worker and answers result() with the handler’s value', async () => {
    const name = cleanUp.name('basics')
    const seen: unknown[] = []
    const queue = cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        handlers: {
          sendEmail: async (mail: { to: string }, job) => {
            seen.push({
              mail,
              id: job.id,
              name: job.name,
              attempt: job.attempt,
              signal: job.signal.aborted,
            })
            return `sent to ${mail.to}`
          },
          cleanUp: () => 'clean',
        },
      }),
    )
    const completed = vi.fn()
    queue.on('complete', completed)
    const id = await queue.add('sendEmail', { to: 'a@b.c' })
    expect(typeof id).toBe('string')
    expect(await queue.result(id)).toBe('sent to a@b.c')
    const noData = await queue.add('cleanUp')
    expect(await queue.result(noData)).toBe('clean')
    expect(seen).toEqual([
      { mail: { to: 'a@b.c' }, id, name: 'sendEmail', attempt: 1, signal: false },
    ])
    await vi.waitFor(() => expect(completed).toHaveBeenCalledTimes(2))
    expect(completed.mock.calls[0]).toHaveLength(1)
    expect(completed.mock.calls[0]![0].job).toMatchObject({
      id,
      name: 'sendEmail',
      data: { to: 'a@b.c' },
    })
    expect(completed.mock.calls[0]![0].result).toBe('sent to a@b.c')
    // a job without data is stored as null, as in memory
    expect((await inspect(name).getJob(noData))?.data).toBeNull()
  })

  it('retries with the same backoff formula, emits retry, and dead-letters a job that used up its attempts', async () => {
    const name = cleanUp.name('retries')
    const onError = vi.fn()
    const queue = cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        retries: 2,
        backoff: { type: 'exponential', delayMs: 20 },
        onError,
        handlers: {
          flaky: (_data: null, job) => {
            if (job.attempt < 3) throw new Error(`attempt ${job.attempt}`)
            return job.attempt
          },
          broken: (_data: { reason: string }) => {
            throw new Error('always')
          },
        },
      }),
    )
    const retrying = vi.fn()
    const failed = vi.fn()
    queue.on('retry', retrying)
    queue.on('fail', failed)
    const flaky = await queue.add('flaky')
    expect(await queue.result(flaky)).toBe(3)
    expect(
      retrying.mock.calls.map(([{ job, error, delayMs }]) => [
        job.attempt,
        (error as Error).message,
        delayMs,
      ]),
    ).toEqual([
      [1, 'attempt 1', 20],
      [2, 'attempt 2', 40],
    ])
    const broken = await queue.add('broken', { reason: 'test' })
    const outcome = queue.result(broken)
    await expect(outcome).rejects.toBeInstanceOf(JobFailedError)
    await expect(outcome).rejects.toMatchObject({ jobId: broken, jobName: 'broken', attempts: 3 })
    await expect(outcome).rejects.toThrow(/failed after 3 attempts: always/)
    await vi.waitFor(() => expect(onError).toHaveBeenCalledOnce())
    expect(onError.mock.calls[0]![0].message).toBe('always')
    expect(onError.mock.calls[0]![1]).toMatchObject({ id: broken, name: 'broken', attempt: 3 })
    expect(failed).toHaveBeenCalledOnce()
    expect(failed.mock.calls[0]![0].job).toMatchObject({ id: broken, name: 'broken' })
    expect(failed.mock.calls[0]![0].error.message).toBe('always')
    const letters = await queue.deadLetters()
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({
      id: broken,
      name: 'broken',
      data: { reason: 'test' },
      attempts: 3,
    })
    expect(letters[0]!.error.message).toBe('always')
    const stats = await queue.refreshStats()
    expect(stats).toMatchObject({
      name,
      waiting: 0,
      delayed: 0,
      running: 0,
      completed: 1,
      failed: 1,
      retried: 4,
      deadLetters: 1,
      paused: false,
      closed: false,
    })
    // stats() answers synchronously from the last read
    expect(queue.stats()).toMatchObject({ completed: 1, failed: 1, retried: 4, deadLetters: 1 })
  })

  it('fails at once on UnrecoverableJobError, and an attempt past timeoutMs with TimeoutError', async () => {
    const name = cleanUp.name('unrecoverable')
    const signals: AbortSignal[] = []
    const queue = cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        retries: 3,
        backoff: { type: 'fixed', delayMs: 0 },
        timeoutMs: 200,
        onError: () => {},
        handlers: {
          invalid: () => {
            throw new UnrecoverableJobError('invalid address')
          },
          stuck: (_data: null, job) => {
            signals.push(job.signal)
            return new Promise(() => {})
          },
        },
      }),
    )
    const invalid = await queue.add('invalid')
    await expect(queue.result(invalid)).rejects.toMatchObject({ attempts: 1 })
    const stuck = await queue.add('stuck', null, { retries: 0 })
    const outcome = queue.result(stuck)
    await expect(outcome).rejects.toThrow(/did not finish within timeoutMs \(200 ms\)/)
    expect(signals).toHaveLength(1)
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBeInstanceOf(TimeoutError)
    expect(signals[0]!.reason).toMatchObject({ code: 'LOOPWORK_TIMEOUT', timeoutMs: 200 })
  })

  it('rejects unknown names, non-JSON data and bad options at add() and stores nothing', async () => {
    const name = cleanUp.name('input')
    const queue = cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        consume: false,
        handlers: { work: (_data: unknown) => {} },
      }),
    )
    await expect(queue.add('nope' as 'work', {})).rejects.toBeInstanceOf(UnknownJobError)
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    for (const data of [{ callback: () => {} }, { big: 1n }, cycle, { at: new Date() }]) {
      await expect(queue.add('work', data)).rejects.toBeInstanceOf(JobDataError)
    }
    // BullMQ would store { a: undefined } as {}: refused, as in memory
    await expect(queue.add('work', { a: undefined })).rejects.toThrow(
      'data.a is undefined, which JSON drops',
    )
    await expect(queue.add('work', {}, { priority: Number.NaN })).rejects.toThrow(
      /priority must be/,
    )
    await expect(queue.add('work', {}, { delayMs: -1 })).rejects.toThrow(/delayMs must be/)
    await expect(queue.add('work', {}, { jobId: '12' })).rejects.toThrow(
      /must be a string that is not an integer/,
    )
    await expect(queue.add('work', {}, { dealyMs: 5 } as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'dealyMs',
      message: expect.stringMatching(/did you mean "delayMs"/),
    })
    await expect(queue.add('work', {}, { delayMs: 2_147_483_648 })).rejects.toThrow(
      /delayMs must be a number of milliseconds from 0 to 2147483647/,
    )
    const counts = await inspect(name).getJobCounts()
    expect(Object.values(counts).every((count) => count === 0)).toBe(true)
    await expect(queue.result('no-such-job')).rejects.toBeInstanceOf(JobNotFoundError)
  })

  it('rejects bad BullMQ options at construction, naming the option and the value', () => {
    const handlers = { work: () => {} }
    expect(() => new TaskQueue({ handlers } as never)).toThrow(
      /name must be a queue name \(required\)/,
    )
    expect(() => new TaskQueue({ name: 'a:b', handlers })).toThrow(
      /name must be a name without ":"/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, connection: 'http://x' })).toThrow(
      /connection must be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/x"/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, connection: 5 as never })).toThrow(
      /connection must be a Redis URL, ioredis options or an ioredis instance, got 5/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, lockDurationMs: 0 })).toThrow(
      /lockDurationMs must be a number of milliseconds from 1 to 2147483647, got 0/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, stalledIntervalMs: -1 })).toThrow(
      /stalledIntervalMs must be a number of milliseconds from 1 to 2147483647/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, statsMaxAgeMs: 2_147_483_648 })).toThrow(
      /statsMaxAgeMs must be a number of milliseconds from 0 to 2147483647/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, maxStalledCount: 1.5 })).toThrow(
      /maxStalledCount must be an integer from 0 .*, got 1.5/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, consume: 'yes' as never })).toThrow(
      /consume must be true or false, got "yes"/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, prefix: 'a:b' })).toThrow(
      /prefix must be a prefix without ":"/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, concurrency: 0 })).toThrow(
      /concurrency must be an integer from 1 .*, got 0/,
    )
    expect(() => new TaskQueue({ name: 'x', handlers, addTimeoutMs: 0 })).toThrow(
      /addTimeoutMs must be a number of milliseconds from 1 to 2147483647, or Infinity for no limit, got 0/,
    )
    const misspelled = thrownBy(
      () => new TaskQueue({ name: 'x', handlers, conection: 'redis://h' } as never),
    )
    expect(misspelled).toBeInstanceOf(TypeError)
    expect(misspelled).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'conection' })
    expect(String(misspelled)).toMatch(/did you mean "connection"/)
    expect(() => new TaskQueue({ name: 'x', handlers, maxSize: 5 } as never)).toThrow(
      /Unknown option "maxSize" in BullMQ TaskQueue options/,
    )
  })

  it('deduplicates by jobId: a known id stores nothing and resolves with the same id', async () => {
    const name = cleanUp.name('dedup')
    const handler = vi.fn((_order: { order: number }) => 'charged')
    const producer = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, consume: false, handlers: { charge: handler } }),
    )
    expect(await producer.add('charge', { order: 7 }, { jobId: 'charge-7' })).toBe('charge-7')
    expect(await producer.add('charge', { order: 7 }, { jobId: 'charge-7' })).toBe('charge-7')
    expect((await producer.refreshStats()).waiting).toBe(1)
    const worker = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, handlers: { charge: handler } }),
    )
    expect(await worker.result('charge-7')).toBe('charged')
    // still retained as completed: still deduplicated
    expect(await producer.add('charge', { order: 7 }, { jobId: 'charge-7' })).toBe('charge-7')
    await worker.onIdle()
    expect(handler).toHaveBeenCalledOnce()
  })

  it('runs higher priorities first, equal ones in the order added', async () => {
    const name = cleanUp.name('priority')
    const order: string[] = []
    const handlers = { work: (label: string) => void order.push(label) }
    const producer = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, consume: false, handlers }),
    )
    await producer.add('work', 'low', { priority: -5 })
    await producer.add('work', 'normal-1')
    await producer.add('work', 'high', { priority: 10 })
    await producer.add('work', 'normal-2')
    await producer.add('work', 'highest', { priority: 1_000_000 })
    await producer.add('work', 'lowest', { priority: -1_000_000 })
    const worker = cleanUp.track(new TaskQueue({ name, connection: redisUrl, handlers }))
    await vi.waitFor(() => expect(order).toHaveLength(6), { timeout: 10_000 })
    expect(order).toEqual(['highest', 'high', 'normal-1', 'normal-2', 'low', 'lowest'])
    await worker.onIdle()
  })

  it('holds a delayed job in Redis as delayed', async () => {
    const name = cleanUp.name('delay')
    const handler = vi.fn()
    const queue = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, handlers: { later: handler } }),
    )
    await queue.add('later', null, { delayMs: 600_000 })
    expect(await queue.refreshStats()).toMatchObject({ delayed: 1, waiting: 0 })
    expect(handler).not.toHaveBeenCalled()
  })

  it('enforces maxWaiting across the queue with QueueFullError, storing nothing', async () => {
    const name = cleanUp.name('full')
    const queue = cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        consume: false,
        maxWaiting: 2,
        handlers: { work: (_value: number) => {} },
      }),
    )
    await queue.add('work', 1)
    await queue.add('work', 2, { delayMs: 600_000 })
    await expect(queue.add('work', 3)).rejects.toBeInstanceOf(QueueFullError)
    await expect(queue.add('work', 3)).rejects.toMatchObject({
      code: 'LOOPWORK_QUEUE_FULL',
      option: 'maxWaiting',
      limit: 2,
    })
    // a duplicate of a known job still answers with its id
    await queue.add('work', 4, { jobId: 'known' }).catch(() => {})
    expect((await queue.refreshStats()).waiting + (await queue.refreshStats()).delayed).toBe(2)
  })

  it('bounds finished jobs kept in Redis by keepCompleted and maxDeadLetters', async () => {
    const name = cleanUp.name('retention')
    const queue = cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        keepCompleted: 2,
        maxDeadLetters: 1,
        onError: () => {},
        handlers: {
          ok: (value: number) => value,
          fail: () => {
            throw new Error('no')
          },
        },
      }),
    )
    for (const value of [1, 2, 3, 4]) await queue.add('ok', value)
    await queue.add('fail')
    await queue.add('fail')
    await queue.onIdle()
    const counts = await inspect(name).getJobCounts('completed', 'failed')
    expect(counts).toEqual({ completed: 2, failed: 1 })
    expect(await queue.deadLetters()).toHaveLength(1)
  })

  it('keeps at most 1,000 finished jobs of each kind by default (BullMQ keeps them forever)', async () => {
    const name = cleanUp.name('retention-default')
    const queue = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, consume: false, handlers: { ok: () => {} } }),
    )
    const id = await queue.add('ok')
    const job = await inspect(name).getJob(id)
    expect(job?.opts.removeOnComplete).toEqual({ count: 1_000 })
    expect(job?.opts.removeOnFail).toEqual({ count: 1_000 })
  })

  it('pause() stops this process’s worker and resume() lets it go on', async () => {
    const name = cleanUp.name('pause')
    const handler = vi.fn()
    const queue = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, handlers: { work: handler } }),
    )
    queue.pause()
    expect(queue.stats().paused).toBe(true)
    await queue.add('work')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(handler).not.toHaveBeenCalled()
    queue.resume()
    await queue.onIdle()
    expect(handler).toHaveBeenCalledOnce()
  })

  it('emits idle once nothing is waiting, delayed or running', async () => {
    const name = cleanUp.name('idle')
    const queue = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, handlers: { work: () => {} } }),
    )
    const drained = vi.fn()
    queue.on('idle', drained)
    await queue.add('work')
    await vi.waitFor(() => expect(drained).toHaveBeenCalled(), { timeout: 10_000 })
    expect(drained).toHaveBeenCalledWith({})
    expect((await queue.refreshStats()).waiting).toBe(0)
  })

  it('rejects add() and result() after close(), and close() is idempotent', async () => {
    const name = cleanUp.name('closed')
    const queue = new TaskQueue({ name, connection: redisUrl, handlers: { work: () => {} } })
    const first = queue.close({ timeoutMs: 2_000 })
    expect(queue.close()).toBe(first)
    expect(await first).toEqual({ timedOut: false, aborted: [], notStarted: [] })
    await expect(queue.add('work')).rejects.toBeInstanceOf(ClosedError)
    await expect(queue.result('1')).rejects.toBeInstanceOf(ClosedError)
    await expect(queue.deadLetters()).rejects.toBeInstanceOf(ClosedError)
    expect(await queue.refreshStats()).toMatchObject({ name, closed: true })
    await queue.onIdle()
    expect(await unhandled.reported()).toEqual([])
  })

  it('leaves an ioredis connection passed in open at close(): it is the caller’s', async () => {
    const name = cleanUp.name('shared-connection')
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
    const queue = new TaskQueue({ name, connection, handlers: { work: () => 'done' } })
    const id = await queue.add('work')
    expect(await queue.result(id)).toBe('done')
    await queue.close({ timeoutMs: 2_000 })
    expect(connection.status).toBe('ready')
    expect(await connection.ping()).toBe('PONG')
    await connection.quit()
  })
})

describe('TaskQueue on BullMQ: adopting results, aborting waits, one interface', () => {
  it('adopts a thenable a handler returns once: then is read and called exactly once', async () => {
    const name = cleanUp.name('thenable')
    const fulfilled = countingThenable({ value: 'rows' })
    const queue = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, handlers: { query: () => fulfilled.thenable } }),
    )
    expect(await queue.result(await queue.add('query'))).toBe('rows')
    expect(fulfilled.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
  })

  it('adopts a thenable onError returns once, with both callbacks, and logs nothing', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const name = cleanUp.name('on-error-thenable')
      const report = countingThenable({ value: undefined })
      const onError = vi.fn(() => report.thenable)
      const queue = cleanUp.track(
        new TaskQueue({
          name,
          connection: redisUrl,
          onError,
          handlers: {
            broken: () => {
              throw new Error('no')
            },
          },
        }),
      )
      await expect(queue.result(await queue.add('broken'))).rejects.toBeInstanceOf(JobFailedError)
      await vi.waitFor(() => expect(report.counts.calls).toBe(1))
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(report.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
      expect(log).not.toHaveBeenCalled()
    } finally {
      log.mockRestore()
    }
  })

  it('stops a result() wait through its signal with an AbortError whose cause is the reason', async () => {
    const name = cleanUp.name('result-signal')
    const queue = cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        consume: false,
        handlers: { work: () => 'done' },
      }),
    )
    const id = await queue.add('work')
    const controller = new AbortController()
    const waiting = queue.result(id, { signal: controller.signal })
    const reason = new Error('gave up')
    controller.abort(reason)
    await expect(waiting).rejects.toBeInstanceOf(AbortError)
    await expect(waiting).rejects.toMatchObject({ code: 'ABORT_ERR', cause: reason })
    const already = queue.result(id, { signal: AbortSignal.abort('already') })
    await expect(already).rejects.toMatchObject({ name: 'AbortError', cause: 'already' })
    await expect(queue.result(id, { sigal: undefined } as never)).rejects.toMatchObject({
      code: 'LOOPWORK_INVALID_OPTION',
      option: 'sigal',
    })
  })

  it('implements the same TaskQueueApi as the in-memory queue', async () => {
    const name = cleanUp.name('api')
    const queue: TaskQueueApi<{ work: (n: number) => number }> = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, handlers: { work: (n: number) => n + 1 } }),
    )
    const complete = vi.fn()
    queue.on('complete', complete)
    expect(await queue.result(await queue.add('work', 1))).toBe(2)
    await vi.waitFor(() => expect(complete).toHaveBeenCalledOnce())
    expect(await queue.refreshStats()).toMatchObject({ name, waiting: 0, running: 0, completed: 1 })
  })
})
