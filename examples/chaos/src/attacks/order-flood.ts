import { Agent } from 'node:http'
import type { ChaosRow } from '../chaos-table.js'
import { type Exchange, exchange, OutcomeTally } from '../http-exchange.js'
import {
  checkFulfilment,
  fulfilmentDeadlineMs,
  type OrderAnswer,
  sampleIds,
} from '../order-fulfilment.js'
import { ResidentSampler } from '../service-child.js'
import { type AttackContext, duration, orderBody, runClients } from './attack-context.js'

let ordersSent = 0

/** Sends one order; the 201's order id is added to `acknowledged`. */
export async function sendOrder(
  url: string,
  seedRows: number,
  options: { agent: Agent; patienceMs: number },
  acknowledged: Set<number>,
): Promise<Exchange> {
  const answer = await exchange(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: orderBody(ordersSent++, seedRows),
    agent: options.agent,
    patienceMs: options.patienceMs,
  })
  if (answer.status === 201) acknowledged.add((JSON.parse(answer.body) as OrderAnswer).id)
  return answer
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
 * Attack 4: orders posted as fast as `clients` keep-alive connections allow. Every 201 must be
 * fulfilled afterwards (read back through `GET /orders/:id`); an order the service cannot take is
 * refused with 503 + `Retry-After` (or 409 when the item ran out of stock), never acknowledged and
 * then lost.
 */
export async function orderFlood({ service, profile }: AttackContext): Promise<ChaosRow> {
  const { clients, durationMs, maxOrders } = profile.orderFlood
  const agent = new Agent({ keepAlive: true, maxSockets: clients })
  const tally = new OutcomeTally()
  const rss = new ResidentSampler(service)
  const acknowledged = new Set<number>()
  const wrong = new Map<string, number>()
  const started = performance.now()
  try {
    await runClients(clients, { durationMs, maxRequests: maxOrders }, async () => {
      const answer = await sendOrder(
        service.url,
        profile.seedRows,
        { agent, patienceMs: profile.clientPatienceMs },
        acknowledged,
      )
      tally.add(answer)
      const problem = orderAnswerProblem(answer)
      if (problem !== undefined) wrong.set(problem, (wrong.get(problem) ?? 0) + 1)
      return 'continue'
    })
  } finally {
    agent.destroy()
  }
  const floodMs = performance.now() - started
  const check = await checkFulfilment(
    service.url,
    acknowledged,
    fulfilmentDeadlineMs(acknowledged.size, profile.fulfilmentGraceMs),
    profile.clientPatienceMs,
  )
  const problems = [...wrong].map(([problem, count]) => `${count}× ${problem}`)
  if (check.lost.length > 0) problems.push(`not fulfilled: ${sampleIds(check.lost)}`)
  if (acknowledged.size === 0) problems.push('no order acknowledged')
  return {
    framework: service.framework,
    attack: `4. order flood (${clients} connections)`,
    expected:
      'every 201 fulfilled; refusals are 503 + Retry-After (409 out of stock), never 201 then lost',
    observed: [
      `${tally.total()} orders in ${duration(floodMs)} (${Math.round((tally.total() * 1000) / floodMs)}/s)`,
      `all fulfilled ${duration(check.elapsedMs)} after the flood`,
      ...problems,
    ]
      .filter((part) => !(check.lost.length > 0 && part.startsWith('all fulfilled')))
      .join('; '),
    statuses: tally.toString(),
    orders: {
      acknowledged: acknowledged.size,
      fulfilled: check.fulfilled,
      lost: check.lost.length,
    },
    rss: await rss.stop(),
    outcome: problems.length === 0 ? 'pass' : 'fail',
  }
}
