import { AsyncLocalStorage } from 'node:async_hooks'
import { DatabaseSync } from 'node:sqlite'
import { thrownBy } from '@loopwork/internal/test-support/thrown-by'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import {
  AbortError,
  ClosedError,
  DatabaseBusyError,
  type JobContext,
  JobFailedError,
  JobNotFoundError,
  LeaseLostError,
  QueueFullError,
  type TaskQueueApi,
  TimeoutError,
  UnrecoverableJobError,
} from '../src/index.js'
import { TaskQueue } from '../src/sqlite/index.js'
import { deferred } from './helpers/deferred.js'
import { sqliteFilesPerTest } from './helpers/sqlite-files.js'
import { watchUnhandledRejections } from './helpers/unhandled-rejections.js'

const unhandled = watchUnhandledRejections()
const files = sqliteFilesPerTest()

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject')
}

/** Short leases and polls, so recoveries happen within a test. */
const fast = { lockDurationMs: 500, stalledIntervalMs: 50, pollIntervalMs: 10 }

/** A connection of the test's own on a queue file, to look at what is really stored. */
function inspect(file: string): DatabaseSync {
  const database = files.track(new DatabaseSync(file))
  database.exec('PRAGMA busy_timeout = 5000')
  return database
}

function storedJobs(file: string): { state: number; attempts: number; name: string }[] {
  return inspect(file)
    .prepare('SELECT state, attempts, name FROM loopwork_jobs ORDER BY id')
    .all() as never
}

describe('TaskQueue on SQLite: adding and running jobs', () => {
  it('runs a job and answers result(); the handler gets its context and the add() call’s AsyncLocalStorage context', async () => {
    const storage = new AsyncLocalStorage<string>()
    const seen: unknown[] = []
    const queue = files.track(
      new TaskQueue({
        file: files.file(),
        name: 'mail',
        handlers: {
          sendEmail: (mail: { to: string }, job: JobContext) => {
            seen.push({
              id: job.id,
              name: job.name,
              attempt: job.attempt,
              maxAttempts: job.maxAttempts,
              aborted: job.signal.aborted,
              request: storage.getStore(),
            })
            return { sentTo: mail.to }
          },
        },
        retries: 2,
      }),
    )
    const id = await storage.run('request-7', () => queue.add('sendEmail', { to: 'a@b.c' }))
    expect(id).toBe('1')
    expectTypeOf(queue.result(id)).resolves.toEqualTypeOf<{ sentTo: string }>()
    expect(await queue.result(id)).toEqual({ sentTo: 'a@b.c' })
    expect(seen).toEqual([
      {
        id: '1',
        name: 'sendEmail',
        attempt: 1,
        maxAttempts: 3,
        aborted: false,
        request: 'request-7',
      },
    ])
    // finished jobs are answered from the file
    expect(await queue.result(id)).toEqual({ sentTo: 'a@b.c' })
    await expect(queue.result('999')).rejects.toBeInstanceOf(JobNotFoundError)
    expect(queue.stats()).toMatchObject({ name: 'mail', completed: 1, waiting: 0, running: 0 })
  })

  it('commits the adds of one turn together, and emits complete, retry, fail and idle with one event object each', async () => {
    const events: unknown[] = []
    const queue = files.track(
      new TaskQueue({
        file: files.file(),
        handlers: {
          double: (n: number) => n * 2,
          flaky: (_data: null, job: JobContext) => {
            if (job.attempt === 1) throw new Error('first attempt fails')
            return 'second attempt'
          },
          doomed: () => {
            throw new UnrecoverableJobError('never')
          },
        },
        retries: 3,
        backoff: { type: 'fixed', delayMs: 0 },
        concurrency: 4,
      }),
    )
    queue.on('complete', ({ job, result }) => events.push(['complete', job.name, result]))
    queue.on('retry', ({ job, delayMs }) => events.push(['retry', job.name, job.attempt, delayMs]))
    queue.on('fail', ({ job, error }) => events.push(['fail', job.name, (error as Error).message]))
    const idle = new Promise((resolve) => queue.once('idle', resolve))
    const ids = await Promise.all([
      queue.add('double', 1),
      queue.add('double', 2),
      queue.add('flaky'),
      queue.add('doomed'),
    ])
    expect(ids).toEqual(['1', '2', '3', '4'])
    expect(await idle).toEqual({})
    expect(events).toEqual(
      expect.arrayContaining([
        ['complete', 'double', 2],
        ['complete', 'double', 4],
        ['retry', 'flaky', 1, 0],
        ['complete', 'flaky', 'second attempt'],
        ['fail', 'doomed', 'never'],
      ]),
    )
    expect(events).toHaveLength(5)
    const failure = await rejection(queue.result('4'))
    expect(failure).toBeInstanceOf(JobFailedError)
    expect(failure).toMatchObject({ jobId: '4', attempts: 1 })
    expect((failure as Error).cause).toMatchObject({
      name: 'UnrecoverableJobError',
      message: 'never',
    })
    expect(queue.stats()).toMatchObject({ completed: 3, failed: 1, retried: 1, deadLetters: 1 })
  })

  it('fails an attempt past timeoutMs with a TimeoutError and aborts its signal', async () => {
    let signal: AbortSignal | undefined
    const queue = files.track(
      new TaskQueue({
        file: files.file(),
        timeoutMs: 30,
        handlers: {
          slow: (_data: null, job: JobContext) => {
            signal = job.signal
            return new Promise(() => {})
          },
        },
        onError: () => {},
      }),
    )
    const id = await queue.add('slow')
    const failure = await rejection(queue.result(id))
    expect((failure as Error).cause).toBeInstanceOf(TimeoutError)
    expect(signal?.aborted).toBe(true)
    expect(signal?.reason).toBeInstanceOf(TimeoutError)
  })

  it('stops a result() wait through its signal, and pause() / resume() stop and restart taking jobs', async () => {
    const ran: number[] = []
    const queue = files.track(
      new TaskQueue({ file: files.file(), handlers: { work: (n: number) => ran.push(n) } }),
    )
    queue.pause()
    const id = await queue.add('work', 1)
    const controller = new AbortController()
    const waiting = queue.result(id, { signal: controller.signal })
    controller.abort('gave up')
    const aborted = await rejection(waiting)
    expect(aborted).toBeInstanceOf(AbortError)
    expect((aborted as AbortError).cause).toBe('gave up')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(ran).toEqual([])
    expect(queue.stats()).toMatchObject({ waiting: 1, paused: true })
    queue.resume()
    expect(await queue.result(id)).toBe(1)
    expect(ran).toEqual([1])
  })

  it('implements the same TaskQueueApi as the other backends', async () => {
    const queue = files.track(
      new TaskQueue({ file: files.file(), handlers: { work: (n: number) => n + 1 } }),
    )
    const api: TaskQueueApi<{ work: (n: number) => number }> = queue
    const id = await api.add('work', 1)
    expect(await api.result(id)).toBe(2)
    await api.onIdle()
    expect((await api.refreshStats()).completed).toBe(1)
    expect(await api.deadLetters()).toEqual([])
    expect(await api.close()).toEqual({ timedOut: false, aborted: [], notStarted: [] })
    expect(await unhandled.reported()).toEqual([])
  })
})

describe('TaskQueue on SQLite: bounds, input and options', () => {
  it('refuses an add() past maxWaiting with QueueFullError, still answers a duplicate jobId with its id, and stores nothing', async () => {
    const file = files.file()
    const queue = files.track(
      new TaskQueue({ file, consume: false, maxWaiting: 2, handlers: { work: (n: number) => n } }),
    )
    await queue.add('work', 1, { jobId: 'first' })
    await queue.add('work', 2, { delayMs: 60_000 })
    const full = await rejection(queue.add('work', 3))
    expect(full).toBeInstanceOf(QueueFullError)
    expect(full).toMatchObject({ code: 'LOOPWORK_QUEUE_FULL', option: 'maxWaiting', limit: 2 })
    expect(await queue.add('work', 4, { jobId: 'first' })).toBe('first')
    expect(queue.stats()).toMatchObject({ waiting: 1, delayed: 1 })
    expect(storedJobs(file)).toHaveLength(2)
  })

  it('refuses unknown names, non-JSON data and bad add() options, and enqueues nothing', async () => {
    const file = files.file()
    const queue = files.track(
      new TaskQueue({ file, consume: false, handlers: { work: (_data: unknown) => {} } }),
    )
    await expect(queue.add('nope' as 'work', 1)).rejects.toMatchObject({
      code: 'LOOPWORK_UNKNOWN_JOB',
    })
    await expect(queue.add('work', { at: new Date() })).rejects.toMatchObject({
      code: 'LOOPWORK_JOB_DATA_NOT_JSON',
      path: 'data.at',
    })
    await expect(queue.add('work', 1, { priority: 2_000_000 })).rejects.toThrow(
      /priority must be an integer from -1000000 to 1000000/,
    )
    await expect(queue.add('work', 1, { delay: 5 } as never)).rejects.toThrow(
      /Unknown option "delay" in add\(\) options \(did you mean "delayMs"\?\)/,
    )
    expect(storedJobs(file)).toEqual([])
  })

  it('names the option and what is allowed for every bad constructor option', () => {
    const handlers = { work: () => {} }
    const file = files.file()
    const check = (options: object, pattern: RegExp, option: string) => {
      const error = thrownBy(() => new TaskQueue({ handlers, file, ...options } as never))
      expect(error, option).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option })
      expect(String(error)).toMatch(pattern)
    }
    check({ file: undefined }, /file must be the path of a SQLite file \(required\)/, 'file')
    check({ file: ':memory:' }, /file must be the path of a SQLite file on disk/, 'file')
    check({ file: '' }, /file must be a non-empty string, got ""/, 'file')
    check(
      { synchronous: 'OFF' },
      /synchronous must be one of "FULL", "NORMAL", got "OFF"/,
      'synchronous',
    )
    check(
      { lockDurationMs: 50 },
      /lockDurationMs must be a number of milliseconds from 100 to 2147483647, got 50/,
      'lockDurationMs',
    )
    check(
      { stalledIntervalMs: 1 },
      /stalledIntervalMs must be a number of milliseconds from 10/,
      'stalledIntervalMs',
    )
    check({ maxStalledCount: -1 }, /maxStalledCount must be an integer from 0/, 'maxStalledCount')
    check(
      { pollIntervalMs: 0 },
      /pollIntervalMs must be an integer from 1 to 60000, got 0/,
      'pollIntervalMs',
    )
    check(
      { addTimeoutMs: 0 },
      /addTimeoutMs must be a number of milliseconds from 1/,
      'addTimeoutMs',
    )
    check({ consume: 1 }, /consume must be true or false, got 1/, 'consume')
    check({ name: 'a:b' }, /name must be a name without ":"/, 'name')
    check(
      { lockDuration: 5 },
      /Unknown option "lockDuration" in SQLite TaskQueue options \(did you mean "lockDurationMs"\?\)/,
      'lockDuration',
    )
    // a BullMQ-only option is refused here, so a misplaced option never goes unnoticed
    check({ connection: 'redis://x' }, /Unknown option "connection"/, 'connection')
    expect(() => new TaskQueue(5 as never)).toThrow(
      /SQLite TaskQueue options must be an options object, got 5/,
    )
  })

  it('waits for a write lock another process holds on the event loop, without blocking it, and rejects add() after addTimeoutMs', async () => {
    const file = files.file()
    const queue = files.track(
      new TaskQueue({
        file,
        consume: false,
        addTimeoutMs: 150,
        handlers: { work: (n: number) => n },
      }),
    )
    const holder = inspect(file)
    holder.exec('BEGIN IMMEDIATE')
    let ticks = 0
    const ticker = setInterval(() => ticks++, 10)
    const startedAt = performance.now()
    const timedOut = await rejection(queue.add('work', 1))
    clearInterval(ticker)
    expect(timedOut).toBeInstanceOf(TimeoutError)
    expect(timedOut).toMatchObject({ timeoutMs: 150 })
    expect(String(timedOut)).toMatch(
      /could not take the database's write lock within addTimeoutMs \(150 ms\); nothing was enqueued/,
    )
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140)
    // the loop went on while add() waited: timers fired
    expect(ticks).toBeGreaterThan(3)
    const waiting = queue.add('work', 2)
    holder.exec('ROLLBACK')
    expect(await waiting).toBe('1')
    expect(storedJobs(file)).toHaveLength(1)
  })

  it('refuses to open a file written by a later schema version', () => {
    const file = files.file()
    const queue = new TaskQueue({ file, consume: false, handlers: { work: () => {} } })
    void queue.close()
    inspect(file).exec("UPDATE loopwork_meta SET value = 99 WHERE key = 'schema_version'")
    expect(() => new TaskQueue({ file, handlers: { work: () => {} } })).toThrow(
      /at schema version 99, this version writes 1: upgrade @loopwork\/background-tasks/,
    )
  })
})

describe('TaskQueue on SQLite: what survives a restart', () => {
  it('close() hands a running job back at its deadline and lists what never started; the next queue on the file runs them all', async () => {
    const file = files.file()
    const started = deferred()
    const first = new TaskQueue({
      file,
      ...fast,
      handlers: {
        // ignores its signal: close() must still end at its deadline
        work: (label: string) => {
          if (label === 'stuck') started.resolve()
          return new Promise(() => {})
        },
      },
    })
    const stuck = await first.add('work', 'stuck')
    await started.promise
    const queued = await first.add('work', 'queued')
    const delayed = await first.add('work', 'delayed', { delayMs: 200 })
    const report = await first.close({ timeoutMs: 50 })
    expect(report.timedOut).toBe(true)
    expect(report.aborted).toEqual([
      { id: stuck, name: 'work', data: 'stuck', attempt: 1, maxAttempts: 1, priority: 0 },
    ])
    expect(report.notStarted.map((job) => [job.id, job.data])).toEqual([
      [stuck, 'stuck'],
      [queued, 'queued'],
      [delayed, 'delayed'],
    ])
    await expect(first.add('work', 'late')).rejects.toBeInstanceOf(ClosedError)
    expect(first.stats().closed).toBe(true)

    const runs: [string, number][] = []
    const second = files.track(
      new TaskQueue({
        file,
        ...fast,
        handlers: {
          work: (label: string, job: JobContext) => {
            runs.push([label, job.attempt])
            return label.toUpperCase()
          },
        },
      }),
    )
    expect(await second.result(delayed)).toBe('DELAYED')
    expect(await second.result(stuck)).toBe('STUCK')
    // the cut-off attempt is not counted as failed: it runs again as attempt 1
    expect(runs).toEqual([
      ['stuck', 1],
      ['queued', 1],
      ['delayed', 1],
    ])
  })

  it('keeps retries with their backoff, priorities, delays, dead letters and jobId deduplication in the file across a reopen', async () => {
    const file = files.file()
    const options = {
      file,
      ...fast,
      retries: 1,
      backoff: { type: 'fixed' as const, delayMs: 300 },
      onError: () => {},
    }
    const failedOnce = deferred()
    const producer = new TaskQueue({
      ...options,
      handlers: {
        flaky: () => {
          failedOnce.resolve()
          throw new Error('first attempt fails')
        },
        doomed: () => {
          throw new UnrecoverableJobError('bad input')
        },
        ordered: (_label: string) => {},
      },
    })
    const addedFlakyAt = Date.now()
    const flaky = await producer.add('flaky')
    const doomed = await producer.add('doomed')
    await failedOnce.promise
    await vi.waitFor(() => expect(producer.stats().deadLetters).toBe(1))
    producer.pause()
    const addedLaterAt = Date.now()
    const low = await producer.add('ordered', 'low', { priority: -5 })
    const high = await producer.add('ordered', 'high', { priority: 5 })
    const later = await producer.add('ordered', 'later', { delayMs: 400 })
    const keyed = await producer.add('ordered', 'keyed', { jobId: 'once' })
    const report = await producer.close()
    // in claim order: priority, then when each may run, then the order added
    expect(report.notStarted.map((job) => [job.id, job.attempt])).toEqual([
      [high, 0],
      [keyed, 0],
      [flaky, 1],
      [later, 0],
      [low, 0],
    ])

    const runs: { label: string; attempt: number; at: number }[] = []
    const reopened = files.track(
      new TaskQueue({
        ...options,
        handlers: {
          flaky: (_data: null, job: JobContext) => {
            runs.push({ label: 'flaky', attempt: job.attempt, at: Date.now() })
            return 'recovered'
          },
          doomed: () => {},
          ordered: (label: string, job: JobContext) => {
            runs.push({ label, attempt: job.attempt, at: Date.now() })
          },
        },
      }),
    )
    // the dead letter survived, and so did its error
    const letters = await reopened.deadLetters()
    expect(letters.map((letter) => [letter.id, letter.attempts, letter.error.message])).toEqual([
      [doomed, 1, 'bad input'],
    ])
    await expect(reopened.result(doomed)).rejects.toBeInstanceOf(JobFailedError)
    // a known jobId is still deduplicated after the reopen
    expect(await reopened.add('ordered', 'keyed again', { jobId: 'once' })).toBe(keyed)
    expect(await reopened.result(flaky)).toBe('recovered')
    await reopened.result(later)
    await reopened.onIdle()
    // the jobs ready at the reopen run by priority; the others once their time came
    const order = runs.map((run) => run.label)
    expect(order).toHaveLength(5)
    expect(order.indexOf('high')).toBeLessThan(order.indexOf('keyed'))
    expect(order.indexOf('keyed')).toBeLessThan(order.indexOf('low'))
    const flakyRun = runs.find((run) => run.label === 'flaky')!
    expect(flakyRun.attempt).toBe(2)
    // the retry waited for its backoff (300 ms after the failure), the delayed job for its delay
    expect(flakyRun.at).toBeGreaterThanOrEqual(addedFlakyAt + 300)
    expect(runs.find((run) => run.label === 'later')!.at).toBeGreaterThanOrEqual(addedLaterAt + 400)
  })

  it('keeps at most keepCompleted completed jobs and maxDeadLetters dead ones, oldest dropped first', async () => {
    const file = files.file()
    const queue = files.track(
      new TaskQueue({
        file,
        keepCompleted: 2,
        maxDeadLetters: 1,
        onError: () => {},
        handlers: {
          work: (n: number) => n,
          fail: (n: number) => {
            throw new Error(`failure ${n}`)
          },
        },
      }),
    )
    for (let n = 1; n <= 4; n++) await queue.result(await queue.add('work', n))
    for (let n = 1; n <= 2; n++) await rejection(queue.result(await queue.add('fail', n)))
    await queue.onIdle()
    expect((await queue.deadLetters()).map((letter) => letter.error.message)).toEqual(['failure 2'])
    await expect(queue.result('1')).rejects.toBeInstanceOf(JobNotFoundError)
    expect(await queue.result('4')).toBe(4)
    expect(storedJobs(file).map((job) => job.state)).toEqual([2, 2, 3])
  })

  it('deletes a job as it ends for good when keepCompleted or maxDeadLetters is 0, after its retries; events and counters still see it', async () => {
    const file = files.file()
    const completed: unknown[] = []
    const failed: unknown[] = []
    const queue = files.track(
      new TaskQueue({
        file,
        keepCompleted: 0,
        maxDeadLetters: 0,
        retries: 1,
        backoff: { type: 'fixed', delayMs: 0 },
        handlers: {
          work: (n: number) => n,
          fail: (n: number) => {
            throw new Error(`failure ${n}`)
          },
        },
      }),
    )
    queue.on('complete', (event) => completed.push(event.result))
    queue.on('fail', (event) => failed.push((event.error as Error).message))
    const workId = await queue.add('work', 1)
    const failId = await queue.add('fail', 2)
    await queue.onIdle()
    expect(completed).toEqual([1])
    expect(failed).toEqual(['failure 2'])
    expect(queue.stats()).toMatchObject({ completed: 1, failed: 1, retried: 1, deadLetters: 0 })
    expect(await queue.deadLetters()).toEqual([])
    await expect(queue.result(workId)).rejects.toBeInstanceOf(JobNotFoundError)
    await expect(queue.result(failId)).rejects.toBeInstanceOf(JobNotFoundError)
    expect(storedJobs(file)).toEqual([])
  })
})

describe('TaskQueue on SQLite: adding in the caller’s transaction (outbox)', () => {
  function ordersDatabase(file: string): DatabaseSync {
    const database = inspect(file)
    database.exec('CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)')
    return database
  }

  it('drops the job with a rolled-back transaction and keeps it with a committed one', async () => {
    const file = files.file()
    const fulfilled: number[] = []
    const queue = files.track(
      new TaskQueue({
        file,
        ...fast,
        handlers: { fulfil: (order: { orderId: number }) => fulfilled.push(order.orderId) },
      }),
    )
    const database = ordersDatabase(file)
    const insertOrder = database.prepare('INSERT INTO orders (item) VALUES (?) RETURNING id')

    database.exec('BEGIN IMMEDIATE')
    const lost = insertOrder.get('lamp') as { id: number }
    const lostJob = queue.addInTransaction(database, 'fulfil', { orderId: lost.id })
    database.exec('ROLLBACK')
    await expect(queue.result(lostJob)).rejects.toBeInstanceOf(JobNotFoundError)
    expect(database.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 0 })

    database.exec('BEGIN IMMEDIATE')
    const kept = insertOrder.get('chair') as { id: number }
    const keptJob = queue.addInTransaction(
      database,
      'fulfil',
      { orderId: kept.id },
      {
        jobId: `fulfil-${kept.id}`,
      },
    )
    database.exec('COMMIT')
    expect(keptJob).toBe(`fulfil-${kept.id}`)
    await queue.result(keptJob)
    expect(fulfilled).toEqual([kept.id])
    expect(queue.stats().completed).toBe(1)
  })

  it('transaction() commits the rows and the job together, or neither when fn throws or returns a promise', async () => {
    const file = files.file()
    const queue = files.track(
      new TaskQueue({
        file,
        ...fast,
        handlers: { fulfil: (order: { orderId: number }) => order.orderId },
      }),
    )
    const database = ordersDatabase(file)
    const insertOrder = database.prepare('INSERT INTO orders (item) VALUES (?) RETURNING id')
    const jobId = queue.transaction(database, () => {
      const order = insertOrder.get('desk') as { id: number }
      return queue.addInTransaction(database, 'fulfil', { orderId: order.id })
    })
    expect(await queue.result(jobId)).toBe(1)

    const failure = thrownBy(() =>
      queue.transaction(database, () => {
        const order = insertOrder.get('shelf') as { id: number }
        queue.addInTransaction(database, 'fulfil', { orderId: order.id })
        throw new Error('payment declined')
      }),
    )
    expect(failure).toMatchObject({ message: 'payment declined' })
    const asynchronous = thrownBy(() =>
      queue.transaction(database, () => {
        insertOrder.get('bench')
        return Promise.resolve('too late')
      }),
    )
    expect(asynchronous).toBeInstanceOf(TypeError)
    expect(String(asynchronous)).toMatch(/transaction\(\) fn must be a synchronous function/)
    expect(database.prepare('SELECT item FROM orders').all()).toEqual([{ item: 'desk' }])
    expect(storedJobs(file)).toHaveLength(1)
  })

  it('refuses a connection on another file, and names a full queue inside the transaction without spoiling it', async () => {
    const file = files.file()
    const queue = files.track(
      new TaskQueue({
        file,
        consume: false,
        maxWaiting: 1,
        handlers: { fulfil: (_order: number) => {} },
      }),
    )
    const other = files.track(new DatabaseSync(files.file('other.sqlite')))
    const wrongFile = thrownBy(() => queue.addInTransaction(other, 'fulfil', 1))
    expect(wrongFile).toMatchObject({ code: 'LOOPWORK_INVALID_OPTION', option: 'database' })
    expect(String(wrongFile)).toMatch(/a connection open on the queue's own file/)
    expect(() => queue.addInTransaction({} as never, 'fulfil', 1)).toThrow(
      /database must be a DatabaseSync from node:sqlite/,
    )

    const database = ordersDatabase(file)
    database.exec('BEGIN IMMEDIATE')
    database.prepare("INSERT INTO orders (item) VALUES ('lamp')").run()
    queue.addInTransaction(database, 'fulfil', 1)
    expect(() => queue.addInTransaction(database, 'fulfil', 2)).toThrow(QueueFullError)
    database.exec('COMMIT')
    expect(database.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 1 })
    expect(storedJobs(file)).toHaveLength(1)
  })

  it('maps "database is locked" on the caller’s connection to DatabaseBusyError, and warns once about a connection that syncs less', () => {
    const file = files.file()
    const queue = files.track(
      new TaskQueue({ file, consume: false, handlers: { fulfil: (_order: number) => {} } }),
    )
    const warnings: string[] = []
    const onWarning = (warning: Error & { code?: string }) => {
      if (warning.code === 'LOOPWORK_WEAK_SYNCHRONOUS') warnings.push(warning.message)
    }
    process.on('warning', onWarning)
    try {
      const holder = inspect(file)
      const caller = inspect(file)
      caller.exec('PRAGMA busy_timeout = 0; PRAGMA synchronous = NORMAL')
      holder.exec('BEGIN IMMEDIATE')
      const busy = thrownBy(() => queue.addInTransaction(caller, 'fulfil', 1))
      holder.exec('ROLLBACK')
      expect(busy).toBeInstanceOf(DatabaseBusyError)
      expect((busy as Error).cause).toMatchObject({ errcode: 5 })
      queue.addInTransaction(caller, 'fulfil', 2)
      return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        expect(warnings).toHaveLength(1)
        expect(warnings[0]).toMatch(/synchronous=NORMAL, weaker than the queue's synchronous=FULL/)
      })
    } finally {
      setImmediate(() => process.off('warning', onWarning))
    }
  })
})

describe('TaskQueue on SQLite: leases', () => {
  it('takes back a job whose lease ran out, runs it again elsewhere, and drops the stale worker’s late outcome instead of writing it', async () => {
    const file = files.file()
    const gate = deferred()
    let staleSignal: AbortSignal | undefined
    const stale = files.track(
      new TaskQueue({
        file,
        ...fast,
        handlers: {
          work: async (_data: null, job: JobContext) => {
            staleSignal = job.signal
            await gate.promise
            return 'stale result'
          },
        },
      }),
    )
    const errors: Error[] = []
    stale.on('error', (error) => errors.push(error))
    const id = await stale.add('work')
    await vi.waitFor(() => expect(staleSignal).toBeDefined())
    stale.pause()
    // the stale worker's lease runs out (as if its event loop had been blocked past it)
    inspect(file).exec('UPDATE loopwork_jobs SET lease_expires_at = 0')
    const fresh = files.track(
      new TaskQueue({ file, ...fast, handlers: { work: () => 'fresh result' } }),
    )
    expect(await fresh.result(id)).toBe('fresh result')
    // the stale worker notices at its next renewal: its attempt is aborted
    await vi.waitFor(() => expect(staleSignal?.aborted).toBe(true), { timeout: 2_000 })
    expect(staleSignal?.reason).toBeInstanceOf(LeaseLostError)
    gate.resolve()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await stale.result(id)).toBe('fresh result')
    expect(errors.map((error) => error.name)).toEqual(['LeaseLostError'])
    expect(stale.stats().completed).toBe(0)
  })

  it('sends a job taken back more than maxStalledCount times to the dead letters', async () => {
    const file = files.file()
    let runs = 0
    const hanging = {
      work: () => {
        runs++
        return new Promise(() => {})
      },
    }
    const failures: unknown[] = []
    const queue = files.track(
      new TaskQueue({
        file,
        ...fast,
        maxStalledCount: 1,
        handlers: hanging,
        onError: (error) => failures.push(error),
      }),
    )
    queue.on('error', () => {})
    const id = await queue.add('work')
    const database = inspect(file)
    for (const expected of [1, 2]) {
      await vi.waitFor(() => expect(runs).toBe(expected))
      database.exec('UPDATE loopwork_jobs SET lease_expires_at = 0')
    }
    const failure = await rejection(queue.result(id))
    expect(failure).toBeInstanceOf(JobFailedError)
    expect((failure as Error).cause).toMatchObject({ name: 'LeaseLostError' })
    expect(String((failure as Error).cause)).toMatch(/more than maxStalledCount \(1\) times/)
    expect(failures).toHaveLength(1)
    expect(failures[0]).toBeInstanceOf(LeaseLostError)
    expect(failures[0]).toMatchObject({ jobId: id, jobName: 'work' })
    expect(runs).toBe(2)
  })
})
