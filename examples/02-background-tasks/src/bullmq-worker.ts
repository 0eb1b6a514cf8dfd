// A worker process of the BullMQ walk-through: it consumes the shared queue until its parent says
// stop (or SIGTERM), then closes gracefully, handing unfinished jobs back to Redis.
import { TaskQueue } from '@loopwork/background-tasks/bullmq'
import { reportHandlers } from './report-jobs.js'
import { serveUntilStopped } from './worker-process.js'

const worker = process.env.WORKER_NAME ?? `worker-${process.pid}`
const queue = new TaskQueue({
  name: process.env.DEMO_QUEUE_NAME!,
  connection: process.env.REDIS_URL,
  handlers: reportHandlers(worker),
  concurrency: 2,
  // Short leases, so the walk-through shows a dead worker's job recovered within seconds.
  lockDurationMs: 2_000,
  stalledIntervalMs: 1_000,
})

serveUntilStopped(worker, queue)
