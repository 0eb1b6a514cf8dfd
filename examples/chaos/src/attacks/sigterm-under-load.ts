import { setTimeout as sleep } from 'node:timers/promises'
import type { ChaosRow } from '../chaos-table.js'
import { type Exchange, OutcomeTally } from '../http-exchange.js'
import { sampleIds } from '../order-fulfilment.js'
import { ResidentSampler } from '../service-child.js'
import { type AttackContext, runClients, searchQuery } from './attack-context.js'
import { OrderClients } from './order-clients.js'

/** The longest a graceful shutdown may take before the process is killed (its own deadline is 10 s). */
const shutdownLimitMs = 30_000

/** What a service prints when its shutdown is over: `shut down: {...}`. */
export interface ShutdownLine {
  timedOut?: boolean
  closedConnections?: number
  resources?: { name: string; outcome: string }[]
  fulfilments?: { aborted: number[]; notStarted: number[] }
}

/** The last shutdown report in a service's output, or `undefined`. */
export function shutdownLineOf(output: string): ShutdownLine | undefined {
  const lines = [...output.matchAll(/^shut down: (\{.*\})$/gm)]
  const last = lines.at(-1)?.[1]
  return last === undefined ? undefined : (JSON.parse(last) as ShutdownLine)
}

/**
 * Why the services' own admission refused a request: a 503 of a limiter, of the overload guard or
 * of a full queue leaves its keep-alive connection open, like any answer; only the shutdown's own
 * refusal must close it.
 */
const admissionReasons = new Set([
  'concurrency-limit',
  'overloaded',
  'pool-saturated',
  'LOOPWORK_QUEUE_FULL',
])

/** The `reason` or `code` of a JSON error body, or `'no reason'`. */
function refusalReason(body: string): string {
  try {
    const parsed = JSON.parse(body) as { reason?: unknown; code?: unknown }
    return String(parsed.reason ?? parsed.code ?? 'no reason')
  } catch {
    return 'no reason'
  }
}

/**
 * An error a client cannot tell from "processed, answer lost": the connection was reset or
 * closed after the request went out, or the answer was cut short. A refused connection is not
 * one (nothing was sent); a client that gave up is counted apart.
 */
function fateUnknown(answer: Exchange): boolean {
  return answer.status === undefined && answer.error !== 'ECONNREFUSED'
}

/**
 * Attack 5: SIGTERM while keep-alive clients send orders, lookups and searches. Every request
 * must be answered (503 + `Connection: close` once the shutdown began, or finished), never reset;
 * the exit code must match the shutdown report (1 when its deadline passed, else 0); after a
 * restart on the same database every acknowledged order must be fulfilled.
 */
export async function sigtermUnderLoad(context: AttackContext): Promise<ChaosRow> {
  const { profile } = context
  const service = context.service
  const { clients, warmUpMs, maxRequests } = profile.sigterm
  const orders = new OrderClients(service.url, profile, clients)
  const rss = new ResidentSampler(service)
  const problems: string[] = []
  let unknownFate = 0
  let unanswered = 0
  /** When each reset request went out and failed, relative to the signal. */
  const resets: string[] = []
  let unknownOnReusedSocket = 0
  /** Shutdown refusals (503 that name no admission reason) left on a keep-alive connection, by reason. */
  const refusedWithoutClose = new OutcomeTally()
  let refusedWithoutRetryAfter = 0
  const wrongAnswers = new OutcomeTally()
  let signalledAt = Number.POSITIVE_INFINITY
  let answeredAfterSignal = 0

  const load = runClients(
    clients,
    { durationMs: warmUpMs + shutdownLimitMs, maxRequests },
    async (index) => {
      if (service.exit !== undefined) return 'stop'
      let answer: Exchange
      let route = 'POST /orders'
      // Half orders, three in eight lookups, one in eight searches: the pool is shared, and this
      // attack is about the shutdown, not about search capacity.
      if (index % 2 === 0) {
        answer = await orders.sendOrder()
        if (answer.status !== undefined && ![201, 409, 503].includes(answer.status)) {
          wrongAnswers.add({ error: `status ${answer.status} on /orders` })
        }
      } else {
        const path =
          index % 8 === 3
            ? `/search?q=${encodeURIComponent(searchQuery(index))}`
            : `/items/${1 + (index % profile.seedRows)}`
        route = `GET /${path.split(/[?/]/)[1]}`
        answer = await orders.send(path)
        if (answer.status !== undefined && answer.status !== 200 && answer.status !== 503) {
          wrongAnswers.add({ error: `status ${answer.status} on ${path.split('?')[0]}` })
        }
      }
      if (answer.status !== undefined && performance.now() > signalledAt) answeredAfterSignal++
      if (answer.status === 503 && answer.headers.connection !== 'close') {
        const reason = refusalReason(answer.body)
        if (!admissionReasons.has(reason)) refusedWithoutClose.add({ error: reason })
      }
      if (answer.status === 503 && answer.headers['retry-after'] === undefined) {
        refusedWithoutRetryAfter++
      }
      if (answer.gaveUp) {
        unanswered++
      } else if (fateUnknown(answer)) {
        unknownFate++
        const now = performance.now()
        resets.push(
          `${answer.error} on ${route} sent ${Math.round(now - answer.elapsedMs - signalledAt)} ms after the signal`,
        )
        if (answer.reusedSocket) unknownOnReusedSocket++
      }
      return answer.error === undefined ? 'continue' : 'stop'
    },
  )
  await sleep(warmUpMs)
  signalledAt = performance.now()
  const exit = await service.terminate(shutdownLimitMs)
  const shutdownMs = performance.now() - signalledAt
  await load
  orders.close()
  const figures = await rss.stop()

  const report = shutdownLineOf(service.output())
  if (report === undefined) problems.push(`no shutdown report (exit ${exit.code ?? exit.signal})`)
  else {
    const expectedCode = report.timedOut === true ? 1 : 0
    if (exit.code !== expectedCode) {
      problems.push(`exit code ${exit.code ?? exit.signal}, the report says ${expectedCode}`)
    }
  }
  if (unanswered > 0) {
    problems.push(`${unanswered} requests unanswered after ${profile.clientPatienceMs / 1_000} s`)
  }
  const notDrained = (report?.resources ?? []).filter((resource) => resource.outcome !== 'drained')
  if (notDrained.length > 0) {
    problems.push(
      `not drained: ${notDrained.map((resource) => `${resource.name} (${resource.outcome})`).join(', ')}`,
    )
  }
  if (unknownFate > 0) {
    problems.push(
      `${unknownFate} requests reset (${unknownOnReusedSocket} on reused keep-alive sockets; ${resets.slice(0, 3).join(', ')})`,
    )
  }
  if (refusedWithoutClose.total() > 0) {
    problems.push(`503 without Connection: close: ${refusedWithoutClose}`)
  }
  if (wrongAnswers.total() > 0) problems.push(`unexpected: ${wrongAnswers}`)

  const restarted = await context.restart()
  const check = await orders.checkFulfilment(restarted.url)
  if (check.lost.length > 0)
    problems.push(`not fulfilled after the restart: ${sampleIds(check.lost)}`)
  const fulfilments = report?.fulfilments
  return {
    framework: service.framework,
    attack: `5. SIGTERM under load (${clients} keep-alive clients)`,
    expected:
      'every request answered (503 + Connection: close, or finished), none reset; exit code = report; every 201 fulfilled after a restart',
    observed: [
      `${orders.tally.total()} requests, ${answeredAfterSignal} answered after the signal`,
      `exit ${exit.code ?? exit.signal}, timedOut ${report?.timedOut}, ${report?.closedConnections ?? '?'} connections closed`,
      `fulfilments cut off ${fulfilments?.aborted.length ?? '?'}, not started ${fulfilments?.notStarted.length ?? '?'} (run after the restart)`,
      ...problems,
      // Not required of a shutdown's 503 here, but the other services send it: worth knowing.
      ...(refusedWithoutRetryAfter > 0
        ? [`note: ${refusedWithoutRetryAfter} of the 503s without Retry-After`]
        : []),
    ].join('; '),
    statuses: orders.tally.toString(),
    orders: orders.counts(check),
    rss: figures,
    shutdownMs,
    outcome: problems.length === 0 ? 'pass' : 'fail',
  }
}
