import { setTimeout as sleep } from 'node:timers/promises'
import { TaskSupervisor } from '@loopwork/background-tasks'
import { heading, say } from './narration.js'

/**
 * Part 2: fire-and-forget under a TaskSupervisor. A bare `void promise` loses its error (or, since
 * Node 15, crashes the process with an unhandled rejection); a supervised task reports it.
 */
export async function walkThroughSupervisor(): Promise<void> {
  heading('2. TaskSupervisor: fire-and-forget without lost errors')
  const unhandled: unknown[] = []
  const countUnhandled = (reason: unknown) => void unhandled.push(reason)
  process.on('unhandledRejection', countUnhandled)

  const supervisor = new TaskSupervisor({
    name: 'jobs',
    onError: (error, task) => say(`   onError: "${task.name}" failed: ${(error as Error).message}`),
  })
  const reindex = supervisor.spawn(
    async ({ signal }) => {
      await sleep(20, undefined, { signal })
      return 'item 42 reindexed'
    },
    { name: 'reindex' },
  )
  const syncSearch = supervisor.spawn(
    async () => {
      await sleep(5)
      throw new Error('search cluster unreachable')
    },
    { name: 'sync-search' },
  )
  const warmCache = supervisor.spawn(({ signal }) => sleep(5_000, undefined, { signal }), {
    name: 'warm-cache',
    timeoutMs: 50,
  })
  say(`Spawned 3 tasks and went on at once: running=${supervisor.stats().running}`)

  for (const handle of [reindex, syncSearch, warmCache]) {
    const outcome = await handle.done
    const detail =
      outcome.status === 'succeeded'
        ? JSON.stringify(outcome.value)
        : outcome.status === 'failed'
          ? (outcome.error as Error).message
          : `${(outcome.reason as Error).name}`
    say(`   ${handle.name.padEnd(12)} ${outcome.status.padEnd(9)} ${detail}`)
  }
  const { started, succeeded, failed, aborted } = supervisor.stats()
  say(`Counters: started=${started} succeeded=${succeeded} failed=${failed} aborted=${aborted}`)
  await sleep(10)
  process.off('unhandledRejection', countUnhandled)
  say(`Unhandled rejections in the process: ${unhandled.length}`)
}
