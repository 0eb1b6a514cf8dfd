import type { ChaosRow } from '../chaos-table.js'
import { sampleIds } from '../order-fulfilment.js'
import { ResidentSampler } from '../service-child.js'
import { type AttackContext, duration, runClients } from './attack-context.js'
import { OrderClients, orderAnswerProblem } from './order-clients.js'

/**
 * Attack 4: orders posted as fast as `clients` keep-alive connections allow. Every 201 must be
 * fulfilled afterwards (read back through `GET /orders/:id`); an order the service cannot take is
 * refused with 503 + `Retry-After` (or 409 when the item ran out of stock), never acknowledged and
 * then lost.
 */
export async function orderFlood({ service, profile }: AttackContext): Promise<ChaosRow> {
  const { clients, durationMs, maxOrders } = profile.orderFlood
  const orders = new OrderClients(service.url, profile, clients)
  const rss = new ResidentSampler(service)
  const wrong = new Map<string, number>()
  const started = performance.now()
  try {
    await runClients(clients, { durationMs, maxRequests: maxOrders }, async () => {
      const problem = orderAnswerProblem(await orders.sendOrder())
      if (problem !== undefined) wrong.set(problem, (wrong.get(problem) ?? 0) + 1)
      return 'continue'
    })
  } finally {
    orders.close()
  }
  const floodMs = performance.now() - started
  const check = await orders.checkFulfilment(service.url)
  const problems = [...wrong].map(([problem, count]) => `${count}× ${problem}`)
  if (check.lost.length > 0) problems.push(`not fulfilled: ${sampleIds(check.lost)}`)
  if (orders.acknowledged.size === 0) problems.push('no order acknowledged')
  const { tally } = orders
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
    orders: orders.counts(check),
    rss: await rss.stop(),
    outcome: problems.length === 0 ? 'pass' : 'fail',
  }
}
