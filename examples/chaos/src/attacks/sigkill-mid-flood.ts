import { setTimeout as sleep } from 'node:timers/promises'
import type { ChaosRow } from '../chaos-table.js'
import { sampleIds } from '../order-fulfilment.js'
import { ResidentSampler } from '../service-child.js'
import { type AttackContext, duration, runClients } from './attack-context.js'
import { OrderClients, orderAnswerProblem } from './order-clients.js'

/** The longest the flood may run while the kill has not ended it. */
const floodLimitMs = 30_000

/**
 * Attack 6: SIGKILL in the middle of an order flood, then a restart on the same database. The
 * orders the clients saw acknowledged (201) before the kill must all be fulfilled after the
 * restart: zero lost. Requests cut off by the kill have no answer; their clients never counted
 * them as placed.
 */
export async function sigkillMidFlood(context: AttackContext): Promise<ChaosRow> {
  const { profile } = context
  const service = context.service
  const { clients, killAfterMs, maxOrders } = profile.sigkill
  const orders = new OrderClients(service.url, profile, clients)
  const rss = new ResidentSampler(service)
  const problems: string[] = []
  let wrongAnswers = 0
  let sent = 0
  const flood = runClients(
    clients,
    { durationMs: floodLimitMs, maxRequests: maxOrders },
    async () => {
      if (service.exit !== undefined) return 'stop'
      sent++
      const answer = await orders.sendOrder()
      if (answer.status !== undefined && orderAnswerProblem(answer) !== undefined) wrongAnswers++
      return answer.error === undefined ? 'continue' : 'stop'
    },
  )
  // Killed after killAfterMs, or as soon as half the bound is sent: always while orders are in flight.
  const killAt = performance.now() + killAfterMs
  while (performance.now() < killAt && sent < maxOrders / 2) await sleep(5)
  const killedAfterMs = performance.now() - (killAt - killAfterMs)
  const acknowledgedAtKill = orders.acknowledged.size
  const exit = await service.kill()
  await flood
  orders.close()
  const figures = await rss.stop()
  if (exit.signal !== 'SIGKILL')
    problems.push(`the process ended with ${exit.code ?? exit.signal} before the kill`)
  if (wrongAnswers > 0) problems.push(`${wrongAnswers} unexpected statuses before the kill`)
  if (acknowledgedAtKill === 0) problems.push('no order acknowledged before the kill')

  const restartedAt = performance.now()
  const restarted = await context.restart()
  const restartMs = performance.now() - restartedAt
  const check = await orders.checkFulfilment(restarted.url)
  if (check.lost.length > 0) problems.push(`lost after the restart: ${sampleIds(check.lost)}`)
  const { tally } = orders
  const cutOff = tally.total() - tally.count('201') - tally.count('409') - tally.count('503')
  return {
    framework: service.framework,
    attack: `6. SIGKILL mid-flood (${clients} connections), restart`,
    expected: 'zero acknowledged orders lost: every 201 fulfilled after the restart',
    observed: [
      `killed after ${duration(killedAfterMs)}, ${sent} orders sent, ${orders.acknowledged.size} acknowledged`,
      `${cutOff} requests cut off by the kill`,
      `restarted in ${duration(restartMs)}, all fulfilled ${duration(check.elapsedMs)} later`,
      ...problems,
    ]
      .filter((part) => !(check.lost.length > 0 && part.startsWith('restarted')))
      .join('; '),
    statuses: tally.toString(),
    orders: orders.counts(check),
    rss: figures,
    outcome: problems.length === 0 ? 'pass' : 'fail',
  }
}
