// A worker process of the SQLite walk-through: it runs the fulfilments of the shop's file until its
// parent says stop (or SIGTERM), then closes gracefully, handing unfinished jobs back to the file.
import { DatabaseSync } from 'node:sqlite'
import { TaskQueue } from '@loopwork/background-tasks/sqlite'
import { orderHandlers } from './sqlite-orders.js'
import { serveUntilStopped } from './worker-process.js'

const worker = process.env.WORKER_NAME ?? `worker-${process.pid}`
const file = process.env.SHOP_FILE!
const database = new DatabaseSync(file)
database.exec('PRAGMA busy_timeout = 5000')
const markFulfilled = database.prepare(
  "UPDATE orders SET status = 'fulfilled', fulfilled_by = ? WHERE id = ?",
)

const queue = new TaskQueue({
  file,
  name: 'orders',
  handlers: orderHandlers(worker, (orderId) => markFulfilled.run(worker, orderId)),
  concurrency: 2,
  pollIntervalMs: 20,
})

serveUntilStopped(worker, queue, () => database.close())
