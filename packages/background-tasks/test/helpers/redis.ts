import { randomUUID } from 'node:crypto'
import { Queue } from 'bullmq'
import { afterEach } from 'vitest'

/** The shared Redis of the test machine; every test uses its own queue names and removes them after. */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A queue name no other test run (of this engineer or another) uses. */
export function uniqueQueueName(label: string): string {
  return `loopwork-test-${label}-${randomUUID()}`
}

/** Removes every key of a queue from Redis. */
export async function obliterate(name: string): Promise<void> {
  const queue = new Queue(name, { connection: { url: redisUrl } })
  try {
    await queue.obliterate({ force: true })
  } finally {
    await queue.close()
  }
}

interface Closable {
  close(options?: { timeoutMs?: number }): Promise<unknown>
}

/**
 * Registers queues (and anything else closable) made by a test, and closes them and obliterates the
 * test's queue names after each test, whatever the test's outcome.
 */
export function cleanUpAfterEach(): {
  track<T extends Closable>(closable: T): T
  name(label: string): string
} {
  const closables: Closable[] = []
  const names: string[] = []
  afterEach(async () => {
    await Promise.all(closables.splice(0).map((closable) => closable.close({ timeoutMs: 2_000 })))
    await Promise.all(names.splice(0).map(obliterate))
  })
  return {
    track(closable) {
      closables.push(closable)
      return closable
    },
    name(label) {
      const name = uniqueQueueName(label)
      names.push(name)
      return name
    },
  }
}
