import type { Queue } from 'bullmq'

/** The queue-wide counts `stats()` reports for the BullMQ backend. */
export interface QueueCounts {
  readonly waiting: number
  readonly delayed: number
  readonly running: number
  readonly deadLetters: number
}

/** Counts before the first read from Redis. */
export const NO_COUNTS: QueueCounts = { waiting: 0, delayed: 0, running: 0, deadLetters: 0 }

/** Reads the counts in one round trip. Every job carries a priority here, so most wait in `prioritized`. */
export async function readCounts(queue: Queue): Promise<QueueCounts> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed')
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    delayed: counts.delayed ?? 0,
    running: counts.active ?? 0,
    deadLetters: counts.failed ?? 0,
  }
}

/** How many jobs wait to start (ready or delayed): what `maxWaiting` bounds. */
export async function countPending(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed')
  return (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0)
}
