import { setTimeout as sleep } from 'node:timers/promises'
import type { JobContext } from '@loopwork/background-tasks'
import { announceStart } from './worker-process.js'

/** An order's fulfilment job: which order, and how long the warehouse call takes. */
export interface FulfilmentRequest {
  orderId: number
  fulfilMs: number
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
      announceStart(worker, job)
      // Stands in for the warehouse's API.
      await sleep(request.fulfilMs, undefined, { signal: job.signal })
      fulfil(request.orderId)
      return worker
    },
  }
}
