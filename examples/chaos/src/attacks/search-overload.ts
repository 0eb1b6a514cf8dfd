import { Agent } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ChaosRow } from '../chaos-table.js'
import { exchange, OutcomeTally } from '../http-exchange.js'
import { ResidentSampler } from '../service-child.js'
import { describeLimiters, routesAtRest, waitForGauges } from '../service-gauges.js'
import { type AttackContext, duration, runClients, searchQuery } from './attack-context.js'

/** How long the route limiters may take to come back to rest once the load stops. */
const settleMs = 15_000

/**
 * Attack 2: ten times more concurrent `/search` clients than the search limiter has tokens, each
 * sending its next search as soon as it has an answer (after what `Retry-After` asks, when refused). Every search must be answered (200, or
 * 503 with `Retry-After`) within the client's patience: none admitted and then left waiting; the
 * resident set stays bounded and the limiter's tokens all come back.
 */
export async function searchOverload({ service, profile }: AttackContext): Promise<ChaosRow> {
  const { clients, durationMs, maxRequests, maxGrowthBytes } = profile.overload
  const agent = new Agent({ keepAlive: true, maxSockets: clients })
  const tally = new OutcomeTally()
  const rss = new ResidentSampler(service)
  let slowestAnswerMs = 0
  let refusedWithoutRetryAfter = 0
  let gaveUp = 0
  let serverErrors = 0
  try {
    await runClients(clients, { durationMs, maxRequests }, async (index, deadline) => {
      const answer = await exchange(
        `${service.url}/search?q=${encodeURIComponent(searchQuery(index))}`,
        { agent, patienceMs: profile.clientPatienceMs },
      )
      tally.add(answer)
      if (answer.gaveUp) gaveUp++
      else slowestAnswerMs = Math.max(slowestAnswerMs, answer.elapsedMs)
      const retryAfter = answer.headers['retry-after']
      if (answer.status === 503 && retryAfter === undefined) refusedWithoutRetryAfter++
      if (answer.status === 503) {
        // A client that honours Retry-After (at most 2 s here); one that ignores it is a retry
        // storm, which the overload guard sheds.
        const waitMs = Math.min(
          Number(retryAfter ?? 1) * 1_000,
          2_000,
          deadline - performance.now(),
        )
        if (waitMs > 0) await sleep(waitMs)
      }
      if (answer.status !== undefined && answer.status >= 500 && answer.status !== 503) {
        serverErrors++
      }
      return 'continue'
    })
  } finally {
    agent.destroy()
  }
  const settled = await waitForGauges(service.url, routesAtRest, settleMs)
  const figures = await rss.stop()
  const growth = figures.peak - figures.before
  const answered = tally.count('200')
  const refused = tally.count('503')
  const problems: string[] = []
  if (gaveUp > 0)
    problems.push(`${gaveUp} searches unanswered after ${duration(profile.clientPatienceMs)}`)
  const otherErrors = tally.total() - answered - refused - gaveUp - serverErrors
  if (otherErrors > 0) problems.push(`${otherErrors} other outcomes`)
  if (serverErrors > 0) problems.push(`${serverErrors} 5xx other than 503`)
  if (refused === 0) problems.push('no search refused: the load never passed the limits')
  if (refusedWithoutRetryAfter > 0)
    problems.push(`${refusedWithoutRetryAfter} 503 without Retry-After`)
  if (growth > maxGrowthBytes) {
    problems.push(
      `RSS grew ${Math.round(growth / 2 ** 20)} MB, past ${maxGrowthBytes / 2 ** 20} MB`,
    )
  }
  if (!settled.reached)
    problems.push(`not at rest ${duration(settleMs)} later: ${describeLimiters(settled.gauges)}`)
  return {
    framework: service.framework,
    attack: `2. ${clients} clients on /search (10× its tokens)`,
    expected: `200 or 503 + Retry-After, each within ${duration(profile.clientPatienceMs)}; RSS growth under ${maxGrowthBytes / 2 ** 20} MB; tokens back to 0`,
    observed: [
      `${tally.total()} searches in ${duration(durationMs)}: ${answered} answered, ${refused} refused`,
      `slowest answer ${duration(slowestAnswerMs)}`,
      `at rest after ${duration(settled.elapsedMs)}`,
      ...problems,
    ].join('; '),
    statuses: tally.toString(),
    rss: figures,
    outcome: problems.length === 0 ? 'pass' : 'fail',
  }
}
