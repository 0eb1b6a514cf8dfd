import { setTimeout as sleep } from 'node:timers/promises'
import { exchange } from './http-exchange.js'
import { readGauges } from './service-gauges.js'

/** How long one fulfilment takes in the services (their `CATALOG_FULFILMENT_MS` default). */
const fulfilmentMs = 20
/** Fulfilments the services run at once (their queue's `concurrency`). */
const fulfilmentConcurrency = 4
/** Order lookups sent at once while checking. */
const lookupConcurrency = 16

/** The body of an order as `POST /orders` and `GET /orders/:id` answer it. */
export interface OrderAnswer {
  id: number
  status: 'placed' | 'fulfilled'
}

/** What checking a set of acknowledged orders found. */
export interface FulfilmentCheck {
  fulfilled: number
  /** Acknowledged orders still not fulfilled at the deadline, or unknown to the service (404). */
  lost: number[]
  elapsedMs: number
}

/**
 * The longest a service may take to fulfil `orders` acknowledged orders: what its queue needs at
 * its configured speed, twice, plus `graceMs` for a loaded machine and a lease taken back.
 */
export function fulfilmentDeadlineMs(orders: number, graceMs: number): number {
  return Math.ceil((orders * fulfilmentMs * 2) / fulfilmentConcurrency) + graceMs
}

/**
 * Waits until every acknowledged order reads `fulfilled` through `GET /orders/:id`, or the
 * deadline passes. First waits for the service's fulfilment queue to empty (`GET /health`), so
 * each order is looked up about once.
 */
export async function checkFulfilment(
  url: string,
  orderIds: Iterable<number>,
  deadlineMs: number,
  patienceMs: number,
): Promise<FulfilmentCheck> {
  const started = performance.now()
  const remaining = new Set(orderIds)
  const total = remaining.size
  const timeLeft = () => deadlineMs - (performance.now() - started)
  if (total === 0) return { fulfilled: 0, lost: [], elapsedMs: 0 }
  while (timeLeft() > 0) {
    const gauges = await readGauges(url)
    if (gauges !== undefined && gauges.fulfilmentsWaiting + gauges.fulfilmentsRunning === 0) break
    await sleep(200)
  }
  do {
    const pending = [...remaining]
    let next = 0
    const lookUp = async () => {
      while (next < pending.length) {
        const id = pending[next++]!
        const answer = await exchange(`${url}/orders/${id}`, { patienceMs })
        if (
          answer.status === 200 &&
          (JSON.parse(answer.body) as OrderAnswer).status === 'fulfilled'
        ) {
          remaining.delete(id)
        }
      }
    }
    await Promise.all(Array.from({ length: lookupConcurrency }, lookUp))
    if (remaining.size === 0) break
    await sleep(250)
  } while (timeLeft() > 0)
  return {
    fulfilled: total - remaining.size,
    lost: [...remaining].sort((a, b) => a - b),
    elapsedMs: performance.now() - started,
  }
}

/** A few order ids for a message: `[3, 17, 18] and 40 more`. */
export function sampleIds(ids: readonly number[]): string {
  const shown = ids.slice(0, 5).join(', ')
  return ids.length > 5 ? `[${shown}] and ${ids.length - 5} more` : `[${shown}]`
}
