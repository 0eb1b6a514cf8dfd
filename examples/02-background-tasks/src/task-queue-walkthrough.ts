import { TaskQueue } from '@loopwork/background-tasks'
import { heading, say } from './narration.js'

/** Part 3: a TaskQueue with retries and exponential backoff, and a dead letter for a job that never succeeds. */
export async function walkThroughTaskQueue(): Promise<void> {
  heading('3. TaskQueue: retries with backoff, then a dead letter')
  const queue = new TaskQueue({
    name: 'orders',
    concurrency: 4,
    maxWaiting: 1_000,
    retries: 2,
    backoff: { type: 'exponential', delayMs: 20, jitter: false },
    handlers: {
      chargeCard: async (payment: { orderId: number; cents: number }, job) => {
        if (job.attempt < job.maxAttempts) {
          throw new Error(`payment provider timed out (attempt ${job.attempt})`)
        }
        return { orderId: payment.orderId, charged: payment.cents }
      },
      notifyWarehouse: async (order: { orderId: number }) => {
        throw new Error(`warehouse API answered 500 for order ${order.orderId}`)
      },
    },
    // Failures are shown by the listeners below; without onError the queue logs them.
    onError: () => {},
  })
  queue.on('retry', ({ job, error, delayMs }) =>
    say(
      `   retrying ${job.name} (attempt ${job.attempt} failed: ${(error as Error).message}); next in ${delayMs} ms`,
    ),
  )
  queue.on('fail', ({ job, error }) =>
    say(`   ${job.name} failed for good: ${(error as Error).message}`),
  )

  const charge = await queue.add('chargeCard', { orderId: 7, cents: 4_200 })
  const notify = await queue.add('notifyWarehouse', { orderId: 7 })
  say(`add() resolved as soon as each job was accepted: ids ${charge} and ${notify}`)
  say(`   chargeCard result: ${JSON.stringify(await queue.result(charge))}`)
  await queue
    .result(notify)
    .catch((error: unknown) => say(`   notifyWarehouse result: ${(error as Error).name}`))
  await queue.onIdle()

  const deadLetters = await queue.deadLetters()
  say(`Dead letters (${deadLetters.length}):`)
  for (const letter of deadLetters) {
    say(
      `   ${letter.name} ${JSON.stringify(letter.data)} after ${letter.attempts} attempts: ${letter.error.message}`,
    )
  }
  const { completed, failed, retried } = queue.stats()
  say(`Counters: completed=${completed} failed=${failed} retried=${retried}`)
  await queue.close()
}
