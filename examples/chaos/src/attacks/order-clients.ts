import { Agent } from 'node:http'
import type { ChaosProfile } from '../chaos-profile.js'
import type { OrderCounts } from '../chaos-table.js'
import { type Exchange, exchange, OutcomeTally } from '../http-exchange.js'
import {
  checkFulfilment,
  type FulfilmentCheck,
  fulfilmentDeadlineMs,
  type OrderAnswer,
} from '../order-fulfilment.js'

/** Orders sent over the whole run: each order differs from every one before it, across attacks. */
let ordersSent = 0

/** An order body for `POST /orders`, spread over the seeded items. */
function orderBody(index: number, seedRows: number): string {
  const itemId = 1 + ((index * 7_919) % seedRows)
  return JSON.stringify({ itemId, quantity: 1, email: `chaos${index}@example.com` })
}

/** What an order answer says about the service: `undefined` when it is an answer allowed. */
export function orderAnswerProblem(answer: Exchange): string | undefined {
  if (answer.status === 201 || answer.status === 409) return undefined
  if (answer.status === 503) {
    return answer.headers['retry-after'] === undefined ? '503 without Retry-After' : undefined
  }
  return answer.status === undefined ? (answer.error ?? 'no answer') : `status ${answer.status}`
}

/**
 * The keep-alive clients of an attack that places orders: every answer they get is tallied, and
 * every order answered 201 is remembered, to be checked for fulfilment afterwards.
 */
export class OrderClients {
  /** Every answer the clients got, by status or error code. */
  readonly tally = new OutcomeTally()
  /** The ids of the orders the service acknowledged (201). */
  readonly acknowledged = new Set<number>()
  readonly #url: string
  readonly #profile: ChaosProfile
  readonly #agent: Agent

  /** `clients` keep-alive connections to the service at `url`. */
  constructor(url: string, profile: ChaosProfile, clients: number) {
    this.#url = url
    this.#profile = profile
    this.#agent = new Agent({ keepAlive: true, maxSockets: clients })
  }

  /** Sends one order; a 201's order id joins `acknowledged`. */
  async sendOrder(): Promise<Exchange> {
    const answer = await this.send('/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: orderBody(ordersSent++, this.#profile.seedRows),
    })
    if (answer.status === 201) this.acknowledged.add((JSON.parse(answer.body) as OrderAnswer).id)
    return answer
  }

  /** Sends a request to `path` (`GET` unless `request` says otherwise). */
  async send(
    path: string,
    request: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Exchange> {
    const answer = await exchange(`${this.#url}${path}`, {
      ...request,
      agent: this.#agent,
      patienceMs: this.#profile.clientPatienceMs,
    })
    this.tally.add(answer)
    return answer
  }

  /** Closes the clients' connections. */
  close(): void {
    this.#agent.destroy()
  }

  /**
   * Waits until every acknowledged order is fulfilled on the service at `url` (the same database,
   * possibly a process started again since), or until the profile's deadline for that many orders.
   */
  checkFulfilment(url: string): Promise<FulfilmentCheck> {
    return checkFulfilment(
      url,
      this.acknowledged,
      fulfilmentDeadlineMs(this.acknowledged.size, this.#profile.fulfilmentGraceMs),
      this.#profile.clientPatienceMs,
    )
  }

  /** The row's order counts, from what `check` found. */
  counts(check: FulfilmentCheck): OrderCounts {
    return {
      acknowledged: this.acknowledged.size,
      fulfilled: check.fulfilled,
      lost: check.lost.length,
    }
  }
}
