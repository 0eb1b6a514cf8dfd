import { AsyncLocalStorage } from 'node:async_hooks'
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import {
  AbortError,
  type JobContext,
  JobNotFoundError,
  QueueFullError,
  TaskQueue,
  type TaskQueueApi,
  type TaskQueueCompleteEvent,
  type TaskQueueRetryEvent,
  type TaskQueueStats,
} from '../src/index.js'
import { countingThenable } from './helpers/counting-thenable.js'
import { deferred, flush } from './helpers/deferred.js'
import { watchUnhandledRejections } from './helpers/unhandled-rejections.js'

const unhandled = watchUnhandledRejections()

afterEach(() => {
  vi.restoreAllMocks()
})

describe('TaskQueue (in memory): adding and running jobs', () => {
  it('resolves add() with the id as soon as the job is accepted, before it runs', async () => {
    const gate = deferred()
    const started: string[] = []
    const queue = new TaskQueue({
      handlers: {
        sendEmail: async (mail: { to: string }) => {
          started.push(mail.to)
          await gate.promise
          return `sent to ${mail.to}`
        },
      },
    })
    const first = await queue.add('sendEmail', { to: 'a@b.c' })
    const second = await queue.add('sendEmail', { to: 'd@e.f' })
    expect(first).toBe('1')
    expect(second).toBe('2')
    // concurrency 1: the second job has not started, yet add() resolved
    expect(started).toEqual(['a@b.c'])
    expect(queue.stats()).toMatchObject({ waiting: 1, running: 1 })
    gate.resolve()
    expect(await queue.result(first)).toBe('sent to a@b.c')
    expect(await queue.result(second)).toBe('sent to d@e.f')
  })

  it('types add() by the handlers and result() by the id', async () => {
    const queue = new TaskQueue({
      handlers: {
        sendEmail: (mail: { to: string }) => mail.to.length,
        cleanUp: () => 'clean' as const,
      },
    })
    const id = await queue.add('sendEmail', { to: 'x' })
    expectTypeOf(queue.result(id)).resolves.toEqualTypeOf<number>()
    // a job whose handler takes no data may leave it out
    const cleanId = await queue.add('cleanUp')
    expectTypeOf(queue.result(cleanId)).resolves.toEqualTypeOf<'clean'>()
    // @ts-expect-error the payload must match the handler
    await queue.add('sendEmail', { to: 1 }).catch(() => {})
    // @ts-expect-error unknown job names do not type-check
    await queue.add('nope', {}).catch(() => {})
    expect(await queue.result(id)).toBe(1)
    expect(await queue.result(cleanId)).toBe('clean')
  })

  it('passes the data and a context with id, name, attempt, maxAttempts and signal to the handler; no data arrives as null', async () => {
    const contexts: { data: unknown; id: string; name: string; attempt: number; max: number }[] = []
    let signal: AbortSignal | undefined
    const queue = new TaskQueue({
      retries: 2,
      handlers: {
        report: (data: { day: string } | undefined, job: JobContext) => {
          signal = job.signal
          contexts.push({
            data,
            id: job.id,
            name: job.name,
            attempt: job.attempt,
            max: job.maxAttempts,
          })
        },
      },
    })
    await queue.add('report', { day: 'monday' })
    await queue.add('report')
    await queue.onIdle()
    expect(contexts).toEqual([
      { data: { day: 'monday' }, id: '1', name: 'report', attempt: 1, max: 3 },
      { data: null, id: '2', name: 'report', attempt: 1, max: 3 },
    ])
    expect(signal).toBeInstanceOf(AbortSignal)
    expect(signal?.aborted).toBe(false)
  })

  it('never runs more than concurrency jobs at once, and concurrency can change at runtime', async () => {
    const gates = Array.from({ length: 6 }, () => deferred())
    let running = 0
    let peak = 0
    const queue = new TaskQueue({
      concurrency: 2,
      handlers: {
        work: async (index: number) => {
          running++
          peak = Math.max(peak, running)
          await gates[index]!.promise
          running--
        },
      },
    })
    for (let index = 0; index < 6; index++) await queue.add('work', index)
    await flush()
    expect(queue.stats()).toMatchObject({ running: 2, waiting: 4 })
    expect(() => {
      queue.concurrency = 0
    }).toThrow(/concurrency must be an integer from 1 to Number.MAX_SAFE_INTEGER, got 0/)
    queue.concurrency = 3
    await flush()
    expect(queue.stats()).toMatchObject({ running: 3, waiting: 3 })
    for (const gate of gates) gate.resolve()
    await queue.onIdle()
    expect(peak).toBe(3)
  })

  it('runs higher priorities first, and equal priorities in the order added', async () => {
    const order: string[] = []
    const queue = new TaskQueue({
      handlers: { work: (label: string) => void order.push(label) },
    })
    queue.pause()
    await queue.add('work', 'low', { priority: -5 })
    await queue.add('work', 'normal-1')
    await queue.add('work', 'high', { priority: 10 })
    await queue.add('work', 'normal-2', { priority: 0 })
    await queue.add('work', 'higher', { priority: 1_000_000 })
    queue.resume()
    await queue.onIdle()
    expect(order).toEqual(['higher', 'high', 'normal-1', 'normal-2', 'low'])
  })

  it('pause() stops starting jobs, keeps accepting them, and resume() goes on', async () => {
    const handler = vi.fn()
    const queue = new TaskQueue({ handlers: { work: handler } })
    queue.pause()
    await queue.add('work', 1)
    await queue.add('work', 2)
    await flush()
    expect(handler).not.toHaveBeenCalled()
    expect(queue.stats()).toMatchObject({ waiting: 2, paused: true })
    let idle = false
    const idlePromise = queue.onIdle().then(() => {
      idle = true
    })
    await flush()
    expect(idle).toBe(false)
    queue.resume()
    await idlePromise
    expect(handler).toHaveBeenCalledTimes(2)
    expect(queue.stats().paused).toBe(false)
  })

  it('onIdle() resolves at once on an empty queue and once every job finished otherwise', async () => {
    const queue = new TaskQueue({ handlers: { work: async () => flush() } })
    await queue.onIdle()
    await queue.add('work')
    await queue.add('work')
    await queue.onIdle()
    expect(queue.stats()).toMatchObject({ completed: 2, waiting: 0, running: 0 })
  })

  it('emits complete with the job and the result, and idle once nothing is left, one object each', async () => {
    const queue = new TaskQueue({ handlers: { double: (value: number) => value * 2 } })
    const completed = vi.fn()
    const drained = vi.fn()
    queue.on('complete', completed)
    queue.on('idle', drained)
    queue.pause()
    await queue.add('double', 2)
    await queue.add('double', 3)
    queue.resume()
    await queue.onIdle()
    expect(
      completed.mock.calls.map(([{ job, result }]) => [job.id, job.name, job.data, result]),
    ).toEqual([
      ['1', 'double', 2, 4],
      ['2', 'double', 3, 6],
    ])
    expect(completed.mock.calls.every((call) => call.length === 1)).toBe(true)
    expect(drained).toHaveBeenCalledOnce()
    expect(drained).toHaveBeenCalledWith({})
    // it fires again each time the queue runs empty
    await queue.add('double', 4)
    await queue.onIdle()
    expect(drained).toHaveBeenCalledTimes(2)
  })

  it('on() types each listener from the events map', async () => {
    const queue = new TaskQueue({ handlers: { double: (value: number) => value * 2 } })
    const results: unknown[] = []
    queue.on('complete', (event) => {
      expectTypeOf(event).toEqualTypeOf<TaskQueueCompleteEvent>()
      results.push(event.result)
    })
    queue.on('error', (error) => expectTypeOf(error).toEqualTypeOf<Error>())
    // @ts-expect-error a complete event carries no retry delay
    queue.on('complete', ({ delayMs }: TaskQueueRetryEvent) => delayMs)
    await queue.add('double', 2)
    await queue.onIdle()
    expect(results).toEqual([4])
  })

  it('returns stats() with the fields the metrics package reads', async () => {
    const queue = new TaskQueue({ name: 'mail', handlers: { work: () => {} } })
    await queue.add('work')
    await queue.onIdle()
    const stats: TaskQueueStats = queue.stats()
    expect(stats).toEqual({
      name: 'mail',
      waiting: 0,
      delayed: 0,
      running: 0,
      completed: 1,
      failed: 0,
      retried: 0,
      deadLetters: 0,
      paused: false,
      closed: false,
    })
    expect(await queue.refreshStats()).toEqual(stats)
  })

  it('rejects add() past maxWaiting with QueueFullError and enqueues nothing', async () => {
    const handler = vi.fn()
    const queue = new TaskQueue({ name: 'mail', maxWaiting: 2, handlers: { work: handler } })
    queue.pause()
    await queue.add('work', 1)
    await queue.add('work', 2, { delayMs: 60_000 })
    const refused = queue.add('work', 3)
    await expect(refused).rejects.toBeInstanceOf(QueueFullError)
    await expect(queue.add('work', 3)).rejects.toMatchObject({
      code: 'LOOPWORK_QUEUE_FULL',
      option: 'maxWaiting',
      limit: 2,
      message: expect.stringMatching(
        /Task queue "mail" already holds maxWaiting \(2\) waiting or delayed jobs/,
      ),
    })
    expect(queue.stats()).toMatchObject({ waiting: 1, delayed: 1 })
    queue.resume()
    await flush()
    expect(handler.mock.calls.map(([data]) => data)).toEqual([1])
    await queue.close({ timeoutMs: 0 })
  })

  it('does not count running jobs against maxWaiting', async () => {
    const gate = deferred()
    const queue = new TaskQueue({ maxWaiting: 1, handlers: { work: () => gate.promise } })
    await queue.add('work')
    await flush()
    await queue.add('work')
    await expect(queue.add('work')).rejects.toBeInstanceOf(QueueFullError)
    gate.resolve()
    await queue.onIdle()
  })

  it('answers result() for unknown ids with JobNotFoundError', async () => {
    const queue = new TaskQueue({ handlers: { work: () => {} } })
    await expect(queue.result('42')).rejects.toBeInstanceOf(JobNotFoundError)
    await expect(queue.result('42')).rejects.toThrow(/knows no job with id "42"/)
  })

  it('stops a result() wait through its signal with an AbortError whose cause is the reason, without touching the job', async () => {
    const gate = deferred<string>()
    const queue = new TaskQueue({ name: 'mail', handlers: { work: () => gate.promise } })
    const id = await queue.add('work')
    const controller = new AbortController()
    const waiting = queue.result(id, { signal: controller.signal })
    const other = queue.result(id)
    const reason = new Error('gave up')
    controller.abort(reason)
    await expect(waiting).rejects.toBeInstanceOf(AbortError)
    await expect(waiting).rejects.toMatchObject({
      name: 'AbortError',
      code: 'ABORT_ERR',
      cause: reason,
      message: expect.stringMatching(/Task queue "mail" stopped waiting for the result of job 1/),
    })
    const already = queue.result(id, { signal: AbortSignal.abort('already') })
    await expect(already).rejects.toBeInstanceOf(AbortError)
    await expect(already).rejects.toMatchObject({ code: 'ABORT_ERR', cause: 'already' })
    gate.resolve('done')
    expect(await queue.result(id)).toBe('done')
    // the other waiter of the same job was left alone
    expect(await other).toBe('done')
  })

  it('runs handlers in the AsyncLocalStorage context of their add() call', async () => {
    const storage = new AsyncLocalStorage<string>()
    const gate = deferred()
    const seen: (string | undefined)[] = []
    const queue = new TaskQueue({
      handlers: {
        work: async (label: string) => {
          await gate.promise
          seen.push(`${label}:${storage.getStore()}`)
        },
      },
    })
    await storage.run('request-1', () => queue.add('work', 'a'))
    await storage.run('request-2', () => queue.add('work', 'b'))
    // the second job is started by the first one finishing, outside request-2's context
    gate.resolve()
    await storage.run('other', () => queue.onIdle())
    expect(seen).toEqual(['a:request-1', 'b:request-2'])
  })

  it('keeps each job’s own context when priorities reorder them', async () => {
    const storage = new AsyncLocalStorage<string>()
    const seen: string[] = []
    const queue = new TaskQueue({
      handlers: { work: (label: string) => void seen.push(`${label}:${storage.getStore()}`) },
    })
    queue.pause()
    await storage.run('request-low', () => queue.add('work', 'low', { priority: -1 }))
    await storage.run('request-normal', () => queue.add('work', 'normal'))
    await storage.run('request-high', () => queue.add('work', 'high', { priority: 5 }))
    await storage.run('request-normal-2', () => queue.add('work', 'normal-2'))
    queue.resume()
    await queue.onIdle()
    expect(seen).toEqual([
      'high:request-high',
      'normal:request-normal',
      'normal-2:request-normal-2',
      'low:request-low',
    ])
  })

  it('never lets a failing job become an unhandled rejection, awaited or not', async () => {
    const queue = new TaskQueue({
      onError: () => {},
      handlers: {
        rejects: async () => Promise.reject(new Error('nobody awaits')),
        throws: () => {
          throw new Error('sync')
        },
      },
    })
    await queue.add('rejects')
    await queue.add('throws')
    await queue.onIdle()
    expect(await unhandled.reported()).toEqual([])
    expect(queue.stats().failed).toBe(2)
  })
})

describe('TaskQueue (in memory): adopting results, one interface for both backends', () => {
  it('adopts a thenable a handler returns once: then is read and called exactly once', async () => {
    const fulfilled = countingThenable({ value: 'rows' })
    const failure = new Error('query failed')
    const rejected = countingThenable<never>({ error: failure })
    const queue = new TaskQueue({
      onError: () => {},
      handlers: {
        query: () => fulfilled.thenable,
        broken: () => rejected.thenable,
      },
    })
    const id = await queue.add('query')
    expect(await queue.result(id)).toBe('rows')
    const brokenId = await queue.add('broken')
    await expect(queue.result(brokenId)).rejects.toMatchObject({ cause: failure })
    expect(fulfilled.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
    expect(rejected.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
  })

  it('adopts a thenable once also when the attempt has a timeoutMs', async () => {
    const fulfilled = countingThenable({ value: 'rows' })
    const queue = new TaskQueue({
      timeoutMs: 60_000,
      handlers: { query: () => fulfilled.thenable },
    })
    expect(await queue.result(await queue.add('query'))).toBe('rows')
    expect(fulfilled.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
  })

  it('adopts a thenable onError returns once, with both callbacks, and logs nothing', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const report = countingThenable({ value: undefined })
    const queue = new TaskQueue({
      onError: () => report.thenable,
      handlers: {
        broken: () => {
          throw new Error('no')
        },
      },
    })
    await queue.add('broken')
    await queue.onIdle()
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(report.counts).toEqual({ reads: 1, calls: 1, callsWithoutTwoFunctions: 0 })
    expect(log).not.toHaveBeenCalled()
  })

  it('implements TaskQueueApi, events included', async () => {
    const queue: TaskQueueApi<{ work: (n: number) => number }> = new TaskQueue({
      name: 'api',
      handlers: { work: (n: number) => n + 1 },
    })
    const complete = vi.fn()
    queue.on('complete', complete)
    expect(await queue.result(await queue.add('work', 1))).toBe(2)
    expect(complete).toHaveBeenCalledOnce()
    expect(queue.stats()).toMatchObject({ name: 'api', waiting: 0, running: 0, completed: 1 })
  })
})
