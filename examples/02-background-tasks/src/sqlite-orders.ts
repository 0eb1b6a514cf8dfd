import { setTimeout as sleep } from 'node:timers/promises'
import type { JobContext } from '@loopwork/background-tasks'

/** An order's fulfilment job: which order, and how long the warehouse call takes. */
export interface FulfilmentRequest {
  orderId: number
  fulfilMs: number
}

/** What a worker process tells its parent when it starts a fulfilment (over the IPC channel). */
export interface FulfilmentStartedMessage {
  event: 'started'
  worker: string
  orderId: number
  attempt: number
}

/** The shop's own table, next to the queue's tables in the same file. */
export const ordersSchema = `
  CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    item TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'placed',
    fulfilled_by TEXT
  )`

/**
 * The job handlers every process of the SQLite walk-through shares. `fulfil` marks the order
 * fulfilled through the worker's own connection: an UPDATE, so running it twice (at least once!)
 * changes nothing more.
 */
export function orderHandlers(worker: string, fulfil: (orderId: number) => void) {
  return {
    fulfilOrder: async (request: FulfilmentRequest, job: JobContext): Promise<string> => {
      const started: FulfilmentStartedMessage = {
        event: 'started',
        worker,
        orderId: request.orderId,
        attempt: job.attempt,
      }
      process.send?.(started)
      // Stands in for the warehouse's API.
      await sleep(request.fulfilMs, undefined, { signal: job.signal })
      fulfil(request.orderId)
      return worker
    },
  }
}
