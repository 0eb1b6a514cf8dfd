import { once } from 'node:events'
import { PrivateRedisServer } from '@loopwork/internal/test-support/redis-server'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { describe, expect, it, vi } from 'vitest'
import { TaskQueue } from '../src/bullmq/index.js'
import { ClosedError } from '../src/index.js'
import { cleanUpAfterEach, redisUrl } from './helpers/redis.js'
import { childProcessesPerTest, nextMessage } from './helpers/worker-processes.js'

const cleanUp = cleanUpAfterEach()
const processes = childProcessesPerTest()

/** Starts a worker process on `queueName`. */
function startWorkerProcess(queueName: string) {
  return processes.fork('bullmq-worker-process.ts', { QUEUE_NAME: queueName, REDIS_URL: redisUrl })
}

// Both handlers exist on both sides; only the process that runs a job uses its handler.
const producerHandlers = {
  hang: (_data: { label: string }) => 'handled by a worker process',
  rendezvous: (_data: { key: string; parties: number }) => 0,
}

describe('TaskQueue on BullMQ across processes', () => {
  it('redelivers a job whose worker process was killed mid-run (stalled-job recovery), and it completes', async () => {
    const name = cleanUp.name('stalled')
    const producer = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, consume: false, handlers: producerHandlers }),
    )
    const child = startWorkerProcess(name)
    const started = nextMessage(child, 'started')
    const id = await producer.add('hang', { label: 'report-42' })
    const firstRun = await started
    expect(firstRun).toMatchObject({ id, attempt: 1, pid: child.pid })

    child.kill('SIGKILL')
    await once(child, 'exit')
    const inRedis = new Queue(name, { connection: { url: redisUrl } })
    cleanUp.track({ close: () => inRedis.close() })
    // killed mid-run: the job is stuck as active under the dead worker's lease
    expect(await inRedis.getJobState(id)).toBe('active')

    const recovered = vi.fn((data: { label: string }, job: { attempt: number }) => {
      return `finished ${data.label} after the crash, attempt ${job.attempt}`
    })
    cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        lockDurationMs: 1_000,
        stalledIntervalMs: 500,
        handlers: { ...producerHandlers, hang: recovered },
      }),
    )
    expect(await producer.result(id)).toBe('finished report-42 after the crash, attempt 1')
    expect(recovered).toHaveBeenCalledOnce()
    const job = await inRedis.getJob(id)
    // started twice (once per process), one stall recovered, no attempt used up
    expect(job?.attemptsStarted).toBe(2)
    expect(job?.stalledCounter).toBe(1)
  }, 30_000)

  it('lets several worker processes share one queue and run its jobs side by side', async () => {
    const name = cleanUp.name('shared')
    const producer = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, consume: false, handlers: producerHandlers }),
    )
    const first = startWorkerProcess(name)
    const second = startWorkerProcess(name)
    await Promise.all([nextMessage(first, 'ready'), nextMessage(second, 'ready')])
    const key = `${name}:rendezvous`
    // Each process runs one job at a time, and each job waits until both run at once: the jobs can
    // only finish if the two processes really share the queue.
    const ids = [
      await producer.add('rendezvous', { key, parties: 2 }),
      await producer.add('rendezvous', { key, parties: 2 }),
    ]
    const pids = await Promise.all(ids.map((id) => producer.result(id)))
    expect(new Set(pids)).toEqual(new Set([first.pid, second.pid]))
    const redis = new Redis(redisUrl)
    await redis.del(key)
    await redis.quit()
  }, 30_000)

  it('close({ timeoutMs }) really times out: it aborts a job that ignores its signal and hands it back to Redis, where another worker completes it', async () => {
    const name = cleanUp.name('close')
    const signals: AbortSignal[] = []
    const started = Promise.withResolvers<void>()
    const first = new TaskQueue({
      name,
      connection: redisUrl,
      handlers: {
        ...producerHandlers,
        hang: (_data: { label: string }, job) => {
          signals.push(job.signal)
          started.resolve()
          return new Promise<string>(() => {})
        },
      },
    })
    const id = await first.add('hang', { label: 'nightly' })
    await started.promise
    const report = await first.close({ timeoutMs: 1_000 })
    expect(report.timedOut).toBe(true)
    expect(report.aborted).toEqual([
      { id, name: 'hang', data: { label: 'nightly' }, attempt: 1, maxAttempts: 1, priority: 0 },
    ])
    expect(report.notStarted).toEqual([])
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[0]!.reason).toBeInstanceOf(ClosedError)

    const inRedis = new Queue(name, { connection: { url: redisUrl } })
    cleanUp.track({ close: () => inRedis.close() })
    // back to waiting at once, not left active for the stalled checker
    expect(await inRedis.getJobState(id)).toBe('prioritized')
    const second = cleanUp.track(
      new TaskQueue({
        name,
        connection: redisUrl,
        handlers: { ...producerHandlers, hang: (_data, job) => `done on attempt ${job.attempt}` },
      }),
    )
    expect(await second.result(id)).toBe('done on attempt 1')
  }, 30_000)

  it('close() stops taking jobs but lets a running job finish within the deadline', async () => {
    const name = cleanUp.name('graceful')
    const gate = Promise.withResolvers<void>()
    const started = Promise.withResolvers<void>()
    const handled = vi.fn()
    const worker = new TaskQueue({
      name,
      connection: redisUrl,
      handlers: {
        ...producerHandlers,
        hang: async (data: { label: string }) => {
          handled(data.label)
          started.resolve()
          await gate.promise
          return `finished ${data.label}`
        },
      },
    })
    const producer = cleanUp.track(
      new TaskQueue({ name, connection: redisUrl, consume: false, handlers: producerHandlers }),
    )
    const running = await producer.add('hang', { label: 'running' })
    await started.promise
    let closed = false
    const closing = worker.close({ timeoutMs: 20_000 }).then((report) => {
      closed = true
      return report
    })
    const later = await producer.add('hang', { label: 'added while closing' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(closed).toBe(false)
    gate.resolve()
    // the report lists the job left waiting in Redis, which the next worker runs
    expect(await closing).toEqual({
      timedOut: false,
      aborted: [],
      notStarted: [
        {
          id: later,
          name: 'hang',
          data: { label: 'added while closing' },
          attempt: 0,
          maxAttempts: 1,
          priority: 0,
        },
      ],
    })
    expect(await producer.result(running)).toBe('finished running')
    // the closed worker took no new job: it waits in Redis for the next worker
    expect(handled.mock.calls).toEqual([['running']])
    const inRedis = new Queue(name, { connection: { url: redisUrl } })
    cleanUp.track({ close: () => inRedis.close() })
    expect(await inRedis.getJobState(later)).toBe('prioritized')
  }, 30_000)

  it('close({ timeoutMs }) resolves even when Redis cannot be reached, reports the errors, and leaves nothing holding the process', async () => {
    const child = processes.fork('bullmq-unreachable-close.ts')
    const [message] = (await once(child, 'message')) as [{ error: string; report: unknown }]
    expect(message.error).toMatch(/ECONNREFUSED/)
    expect(message.report).toEqual({ timedOut: false, aborted: [], notStarted: [] })
    // nothing left behind: the process ends by itself
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
  }, 30_000)

  it('bounds add() during a Redis outage by addTimeoutMs, settles every pending call at close(), and leaves nothing holding the process', async () => {
    const redis = await PrivateRedisServer.start()
    try {
      const child = processes.fork('bullmq-redis-outage.ts', {
        REDIS_URL: redis.url,
        QUEUE_NAME: 'outage',
      })
      const exited = once(child, 'exit')
      const [ready] = (await once(child, 'message')) as [{ type: string; stored: string }]
      expect(ready).toEqual({ type: 'ready', stored: '1' })
      await redis.stop()
      child.send('redis is down')
      const [closed] = (await once(child, 'message')) as [Record<string, Record<string, unknown>>]
      // add() rejects once addTimeoutMs (500 ms) ran out, instead of never settling
      expect(closed.timedOut).toMatchObject({
        name: 'TimeoutError',
        code: 'LOOPWORK_TIMEOUT',
        timeoutMs: 500,
      })
      expect(closed.timedOut!.afterMs).toBeGreaterThanOrEqual(450)
      // calls still waiting for Redis when close() ended settle with ClosedError
      for (const call of ['pendingAdd', 'pendingStats', 'pendingDeadLetters']) {
        expect(closed[call], call).toMatchObject({ name: 'ClosedError', code: 'LOOPWORK_CLOSED' })
      }
      expect(closed.idle).not.toHaveProperty('name') // onIdle() resolved
      expect(closed.report).toEqual({ timedOut: false, aborted: [], notStarted: [] })
      // no reconnect timer, no socket: the process ends by itself, well before ioredis gives up
      const [code] = await exited
      expect(code).toBe(0)
    } finally {
      await redis.stop()
    }
  }, 30_000)
})
