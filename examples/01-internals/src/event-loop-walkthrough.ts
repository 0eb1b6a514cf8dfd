import { WorkerPool } from '@loopwork/thread-offload'
import { calibrateIterations, spinCpu } from './cpu-work.js'
import { heading, say } from './narration.js'

/** How often the ticking timer fires while the CPU work runs. */
const tickMs = 1

/**
 * Counts the ticks of a 1 ms interval timer while `work` runs. A timer callback can only run when
 * the event loop is free, so the count says how responsive the server stayed.
 */
async function countTicksWhile(
  work: () => Promise<unknown>,
): Promise<{ ticks: number; ms: number }> {
  let ticks = 0
  const timer = setInterval(() => ticks++, tickMs)
  const started = performance.now()
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  return { ticks, ms: Math.round(performance.now() - started) }
}

/** Part 4: the same CPU task in a WorkerPool and inline, with the event loop's timer ticks counted. */
export async function walkThroughEventLoop(): Promise<void> {
  heading('4. The event loop: CPU work in the pool versus inline')
  const iterations = calibrateIterations(300)
  const pool = new WorkerPool<typeof import('./internals-tasks.js')>({
    module: new URL('./internals-tasks.js', import.meta.url),
    maxThreads: 1,
  })
  // Start the thread first, so the measured run is the task and not the thread's start-up.
  await pool.run('spin', [1])
  say(`One CPU task of about 300 ms (${iterations} iterations), with a ${tickMs} ms timer ticking:`)
  const inPool = await countTicksWhile(() => pool.run('spin', [iterations]))
  const inline = await countTicksWhile(async () => spinCpu(iterations))
  const rows = [
    ['', 'timer ticks while it ran', 'took'],
    ['in the WorkerPool', String(inPool.ticks), `${inPool.ms} ms`],
    ['inline', String(inline.ticks), `${inline.ms} ms`],
  ]
  for (const [label, ticks, took] of rows) {
    say(`   ${label!.padEnd(18)} ${ticks!.padStart(24)} ${took!.padStart(10)}`)
  }
  say('In the pool the event loop kept serving timers (and would have served requests);')
  say('inline it was frozen until the task ended: not one tick could run.')
  const stats = pool.stats()
  say(
    `Pool statistics: threads=${stats.threads} completed=${stats.completed} failed=${stats.failed} ` +
      `longest task=${Math.round(stats.runTime.max)} ms utilization=${stats.utilization.toFixed(2)}`,
  )
  await pool.close()
}
