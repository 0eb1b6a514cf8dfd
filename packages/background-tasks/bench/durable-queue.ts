// What the end-to-end rounds of the durable backends share: a fresh BullMQ queue of its own in the
// local Redis, throwing a queue away after its round, and timing a backlog from add() to completion.
// It imports BullMQ: a bench that measures in-memory work first loads this module only afterwards.
import { randomUUID } from 'node:crypto'
import type { JobHandlers, TaskQueueApi } from '@loopwork/background-tasks'
import { TaskQueue } from '@loopwork/background-tasks/bullmq'
import { Queue } from 'bullmq'

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A queue for one round, and how to throw it away afterwards. */
export interface RoundQueue<H extends JobHandlers> {
  queue: TaskQueueApi<H>
  dispose: () => Promise<void>
}

/** `queue` with a `dispose` that closes it (within 5 seconds) and then removes what it stored. */
export function roundQueue<H extends JobHandlers>(
  queue: TaskQueueApi<H>,
  removeStorage: () => Promise<void> | void,
): RoundQueue<H> {
  return {
    queue,
    dispose: async () => {
      await queue.close({ timeoutMs: 5_000 })
      await removeStorage()
    },
  }
}

/** A BullMQ queue under a fresh name in the local Redis, whose keys `dispose` deletes. */
export function openBullMQQueue<H extends JobHandlers>(
  handlers: H,
  concurrency: number,
): RoundQueue<H> {
  const name = `loopwork-bench-${randomUUID()}`
  const queue = new TaskQueue({
    name,
    connection: redisUrl,
    concurrency,
    maxWaiting: Number.POSITIVE_INFINITY,
    handlers,
  })
  return roundQueue(queue, async () => {
    const cleanup = new Queue(name, { connection: { url: redisUrl } })
    await cleanup.obliterate({ force: true })
    await cleanup.close()
  })
}

/** Adds `count` `trivial` jobs at once and resolves with the milliseconds until the last completed. */
export async function timeBacklog(
  queue: TaskQueueApi<{ trivial: (value: number) => unknown }>,
  count: number,
): Promise<number> {
  const done = Promise.withResolvers<void>()
  let completed = 0
  queue.on('complete', () => {
    if (++completed === count) done.resolve()
  })
  const started = performance.now()
  await Promise.all(Array.from({ length: count }, (_, index) => queue.add('trivial', index)))
  await done.promise
  return performance.now() - started
}
