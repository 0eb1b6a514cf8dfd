import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { isLoopworkError } from '@loopwork/background-tasks'
import { TaskQueue } from '@loopwork/background-tasks/sqlite'
import { heading, say } from './narration.js'
import { orderHandlers, ordersSchema } from './sqlite-orders.js'
import { killWorkers, startWorker, type WorkerProcess } from './worker-process.js'

const workerEntry = fileURLToPath(new URL('./sqlite-worker.ts', import.meta.url))

/** Every wait of this part is bounded: a result that takes longer than this fails the walk-through. */
const resultTimeoutMs = 30_000

/**
 * Part 5: durable orders on SQLite. Each order and its fulfilment job are written in one
 * transaction of the shop's own database (the outbox pattern): a rolled-back order leaves no job.
 * A worker process is killed mid-fulfilment; the next worker on the file runs that job again.
 */
export async function walkThroughSqliteOrders(): Promise<void> {
  heading('5. Durable orders on SQLite: the order and its job in one transaction, at-least-once')
  const folder = mkdtempSync(join(tmpdir(), 'loopwork-shop-'))
  const file = join(folder, 'shop.sqlite')
  const database = new DatabaseSync(file)
  database.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000')
  database.exec(ordersSchema)
  const insertOrder = database.prepare('INSERT INTO orders (item) VALUES (?) RETURNING id')
  // This process writes orders and their jobs; worker processes run the jobs.
  const shop = new TaskQueue({
    file,
    name: 'orders',
    consume: false,
    pollIntervalMs: 20,
    handlers: orderHandlers('shop', () => {}),
  })
  const placeOrder = (item: string, fulfilMs: number, paymentDeclined = false) =>
    shop.transaction(database, () => {
      const order = insertOrder.get(item) as { id: number }
      const jobId = shop.addInTransaction(
        database,
        'fulfilOrder',
        { orderId: order.id, fulfilMs },
        { jobId: `fulfil-${order.id}` },
      )
      if (paymentDeclined) throw new Error(`payment for the ${item} was declined`)
      return { orderId: order.id, jobId }
    })
  const workers: WorkerProcess[] = []
  try {
    say(`The shop's orders and the queue's jobs share one file (${file.replace(folder, '<tmp>')}).`)
    const lamp = placeOrder('lamp', 50)
    say(`   order ${lamp.orderId} (lamp) and job ${lamp.jobId} committed in one transaction`)
    try {
      placeOrder('sofa', 50, true)
    } catch (error) {
      const orders = database.prepare('SELECT count(*) AS count FROM orders').get() as {
        count: number
      }
      say(
        `   the sofa order failed (${(error as Error).message}): rolled back with its job, ${orders.count} order and ${shop.stats().waiting} job in the file`,
      )
    }

    const first = await startWorker(workerEntry, 'worker-1', { SHOP_FILE: file })
    workers.push(first)
    await first.nextStart(lamp.jobId)
    const signal = AbortSignal.timeout(resultTimeoutMs)
    say(`   ${await shop.result(lamp.jobId, { signal })} fulfilled order ${lamp.orderId}`)

    say('Now a slow fulfilment, and the worker running it is killed (SIGKILL) mid-job:')
    const chair = placeOrder('chair', 1_500)
    const victim = await first.nextStart(chair.jobId)
    first.child.kill('SIGKILL')
    await once(first.child, 'exit')
    say(
      `   killed ${victim.worker} while it fulfilled order ${chair.orderId} (attempt ${victim.attempt})`,
    )
    const second = await startWorker(workerEntry, 'worker-2', { SHOP_FILE: file })
    workers.push(second)
    const again = await second.nextStart(chair.jobId)
    say(
      `   ${again.worker} started: it took the job back at once (its worker's process is gone) and runs attempt ${again.attempt} again`,
    )
    const fulfiller = await shop.result(chair.jobId, {
      signal: AbortSignal.timeout(resultTimeoutMs),
    })
    say(`   ${fulfiller} fulfilled order ${chair.orderId}: nothing acknowledged was lost`)
    say('   (at-least-once: a job can run twice, so handlers must be idempotent)')
    const rows = database.prepare('SELECT id, item, status, fulfilled_by FROM orders').all() as {
      id: number
      item: string
      status: string
      fulfilled_by: string
    }[]
    for (const row of rows) {
      say(`   order ${row.id} ${row.item}: ${row.status} by ${row.fulfilled_by}`)
    }
    say(`   worker-2 closed gracefully with exit code ${await second.stop()}`)
    const report = await shop.close({ timeoutMs: 5_000 })
    say(`   the shop's queue closed; jobs left in the file: ${report.notStarted.length}`)
    try {
      await shop.add('fulfilOrder', { orderId: 0, fulfilMs: 0 })
    } catch (error) {
      if (isLoopworkError(error)) say(`   an add() after close(): ${error.name} (${error.code})`)
    }
  } finally {
    killWorkers(workers)
    await shop.close()
    database.close()
    rmSync(folder, { recursive: true, force: true })
  }
}
