// The three background-work patterns side by side, a draining shutdown, durable orders on SQLite,
// and (with REDIS_URL) the same queue on BullMQ. Run: pnpm --filter @loopwork-example/02-background-tasks start
import { walkThroughAfterResponseTasks } from './after-response-walkthrough.js'
import { walkThroughBullMQ } from './bullmq-walkthrough.js'
import { say } from './narration.js'
import { walkThroughShutdown } from './shutdown-walkthrough.js'
import { walkThroughSqliteOrders } from './sqlite-walkthrough.js'
import { walkThroughSupervisor } from './supervisor-walkthrough.js'
import { walkThroughTaskQueue } from './task-queue-walkthrough.js'

await walkThroughAfterResponseTasks()
await walkThroughSupervisor()
await walkThroughTaskQueue()
await walkThroughShutdown()
await walkThroughSqliteOrders()
const redisUrl = process.env.REDIS_URL
if (redisUrl) {
  await walkThroughBullMQ(redisUrl)
} else {
  say()
  say('6. Skipped the BullMQ part: set REDIS_URL (e.g. redis://127.0.0.1:6379) to run it.')
}
say()
say('Done.')
