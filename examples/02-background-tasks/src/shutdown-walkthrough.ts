import { setTimeout as sleep } from 'node:timers/promises'
import { isLoopworkError, TaskQueue, TaskSupervisor } from '@loopwork/background-tasks'
import { heading, say } from './narration.js'

/** Part 4: a graceful shutdown that drains: finish what can finish by the deadline, abort the rest, lose nothing silently. */
export async function walkThroughShutdown(): Promise<void> {
  heading('4. Graceful shutdown: drain within a deadline')
  const supervisor = new TaskSupervisor({ name: 'shutdown-demo', onError: () => {} })
  supervisor.spawn(({ signal }) => sleep(30, undefined, { signal }), { name: 'flush-audit-log' })
  supervisor.spawn(({ signal }) => sleep(10_000, undefined, { signal }), {
    name: 'rebuild-sitemap',
  })

  const sent: number[] = []
  const queue = new TaskQueue({
    name: 'emails',
    concurrency: 1,
    handlers: {
      sendEmail: async (mail: { number: number }, job) => {
        await sleep(40, undefined, { signal: job.signal })
        sent.push(mail.number)
      },
    },
  })
  for (let number = 1; number <= 6; number++) await queue.add('sendEmail', { number })

  say('SIGTERM arrives: drain the supervisor (200 ms) and close the queue (100 ms), together.')
  const [supervisorReport, queueReport] = await Promise.all([
    supervisor.drain({ timeoutMs: 200 }),
    queue.close({ timeoutMs: 100 }),
  ])
  say(
    `   supervisor: finished [${supervisorReport.finished.map((task) => task.name).join(', ')}], ` +
      `aborted [${supervisorReport.aborted.map((task) => task.name).join(', ')}]`,
  )
  say(
    `   queue: sent e-mails [${sent.join(', ')}], interrupted [${queueReport.aborted.map((job) => (job.data as { number: number }).number).join(', ')}], ` +
      `never started [${queueReport.notStarted.map((job) => (job.data as { number: number }).number).join(', ')}]`,
  )
  say('   Every accepted job is accounted for: sent, interrupted or handed back in the report.')
  say(
    '   (In memory that is at-most-once: a crash loses what was queued. BullMQ keeps it in Redis.)',
  )
  try {
    supervisor.spawn(() => 'too late', { name: 'late-task' })
  } catch (error) {
    if (isLoopworkError(error)) say(`   a spawn after drain(): ${error.name} (${error.code})`)
  }
}
