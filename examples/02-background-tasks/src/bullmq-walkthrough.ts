import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { TaskQueue } from '@loopwork/background-tasks/bullmq'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { heading, say } from './narration.js'
import { type RenderedReport, reportHandlers } from './report-jobs.js'
import { killWorkers, startWorker, type WorkerProcess } from './worker-process.js'

const workerEntry = fileURLToPath(new URL('./bullmq-worker.ts', import.meta.url))

/** Every wait of this part is bounded: a result that takes longer than this fails the walk-through. */
const resultTimeoutMs = 30_000

/** Deletes every key of the demo queue from Redis, so repeated runs leave nothing behind. */
async function removeQueue(queueName: string, redisUrl: string): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
  const queue = new Queue(queueName, { connection })
  try {
    await queue.obliterate({ force: true })
  } finally {
    await queue.close()
    connection.disconnect()
  }
}

/**
 * Part 6 (with REDIS_URL): the same TaskQueue interface on BullMQ. Two worker processes share the
 * queue; one is killed mid-job and the other completes that job once its lease has run out.
 */
export async function walkThroughBullMQ(redisUrl: string): Promise<void> {
  heading('6. The same TaskQueue on BullMQ: two worker processes, at-least-once')
  const queueName = process.env.DEMO_QUEUE_NAME ?? `loopwork-demo-${randomUUID()}`
  const workers: WorkerProcess[] = []
  const producer = new TaskQueue({
    name: queueName,
    connection: redisUrl,
    handlers: reportHandlers('producer'),
    consume: false,
  })
  try {
    for (const name of ['worker-1', 'worker-2']) {
      workers.push(
        await startWorker(workerEntry, name, { DEMO_QUEUE_NAME: queueName, REDIS_URL: redisUrl }),
      )
    }
    say(
      `Queue "${queueName}" in Redis; this process only adds jobs, two worker processes run them.`,
    )

    const ids = []
    for (let reportId = 1; reportId <= 8; reportId++) {
      ids.push(await producer.add('renderReport', { reportId, renderMs: 100 }))
    }
    const signal = AbortSignal.timeout(resultTimeoutMs)
    const reports: RenderedReport[] = await Promise.all(
      ids.map((id) => producer.result(id, { signal })),
    )
    const byWorker = new Map<string, number[]>()
    for (const report of reports) {
      byWorker.set(report.renderedBy, [...(byWorker.get(report.renderedBy) ?? []), report.reportId])
    }
    say(`8 reports rendered:`)
    for (const [worker, reportIds] of [...byWorker].sort()) {
      say(`   ${worker} rendered reports ${reportIds.join(', ')}`)
    }

    say('Now a slow report, and the worker that picks it up is killed (SIGKILL) mid-job:')
    const slowId = await producer.add('renderReport', { reportId: 99, renderMs: 1_500 })
    const victim = await Promise.race(workers.map((worker) => worker.nextStart(slowId)))
    const killed = workers.find((worker) => worker.name === victim.worker)!
    killed.child.kill('SIGKILL')
    say(`   killed ${victim.worker} while it rendered report 99 (job ${slowId})`)
    const recovered = await producer.result(slowId, {
      signal: AbortSignal.timeout(resultTimeoutMs),
    })
    say(
      `   report 99 was completed by ${recovered.renderedBy} once the dead worker's lease ran out`,
    )
    say('   (at-least-once: a job can run twice, so handlers must be idempotent)')

    for (const worker of workers) {
      if (worker === killed) continue
      say(`   ${worker.name} closed gracefully with exit code ${await worker.stop()}`)
    }
  } finally {
    killWorkers(workers)
    await producer.close({ timeoutMs: 5_000 })
    await removeQueue(queueName, redisUrl)
  }
  say(`Removed queue "${queueName}" from Redis.`)
}
