import { type ClientRequest, request } from 'node:http'
import type { ChaosRow } from '../chaos-table.js'
import { type Exchange, exchange, OutcomeTally } from '../http-exchange.js'
import { ResidentSampler } from '../service-child.js'
import { describeLimiters, routesAtRest, waitForGauges } from '../service-gauges.js'
import { type AttackContext, duration, runClients, searchQuery } from './attack-context.js'

/** How long the route limiters may take to come back to rest once every client is gone. */
const settleMs = 15_000
/** Lines about errors the service may print over the whole attack before it counts as a flood. */
const maxErrorLines = 3

/**
 * Opens one request and drops it the way a vanishing client does; resolves once its socket is
 * closed. `vanish` gets the request and decides when to destroy it.
 */
function vanishing(
  url: string,
  options: { method?: string; headers?: Record<string, string> },
  vanish: (outgoing: ClientRequest) => void,
  patienceMs: number,
): Promise<void> {
  return new Promise((resolve) => {
    const outgoing = request(url, { ...options, agent: false })
    const timer = setTimeout(() => outgoing.destroy(), patienceMs)
    outgoing.on('error', () => {})
    outgoing.on('response', (response) => {
      response.on('error', () => {})
      response.resume()
    })
    outgoing.on('close', () => {
      clearTimeout(timer)
      resolve()
    })
    vanish(outgoing)
  })
}

/** The four ways a client vanishes, by index. */
function vanish(url: string, index: number, patienceMs: number): Promise<void> {
  switch (index % 4) {
    case 0:
      // Mid-request: a search dropped while it waits for a token or runs in the pool.
      return vanishing(
        `${url}/search?q=${encodeURIComponent(searchQuery(index))}`,
        {},
        (outgoing) => {
          outgoing.end()
          setTimeout(() => outgoing.destroy(), index % 40)
        },
        patienceMs,
      )
    case 1:
      // Mid-stream: an export dropped after its first chunk.
      return vanishing(
        `${url}/export`,
        {},
        (outgoing) => {
          outgoing.on('response', (response) => response.once('data', () => outgoing.destroy()))
          outgoing.end()
        },
        patienceMs,
      )
    case 2:
      // Mid-body: an order that promised 200 bytes, sent 20 and left.
      return vanishing(
        `${url}/orders`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '200' },
        },
        (outgoing) => {
          outgoing.write('{"itemId":7,"quantity')
          setTimeout(() => outgoing.destroy(), 10)
        },
        patienceMs,
      )
    default:
      // Before any answer: a lookup dropped as soon as it is sent.
      return vanishing(
        `${url}/items/${1 + (index % 500)}`,
        {},
        (outgoing) => {
          outgoing.end()
          outgoing.once('finish', () => setImmediate(() => outgoing.destroy()))
        },
        patienceMs,
      )
  }
}

/** What a refused answer says: its status and the reason or code of its JSON body. */
function refusalOf(answer: Exchange): string {
  if (answer.status === undefined) return answer.error ?? 'no answer'
  try {
    const body = JSON.parse(answer.body) as { reason?: string; code?: string }
    return `${answer.status} ${body.reason ?? body.code ?? ''}`.trim()
  } catch {
    return String(answer.status)
  }
}

/**
 * Attack 3: export readers that read the headers and stop reading, searches while they hold the
 * export's tokens, then clients that vanish mid-request, mid-body and mid-stream. `/search` must
 * still answer, the service must not flood its log, and every token of the route limiters must
 * come back once the clients are gone.
 */
export async function slowClients({ service, profile }: AttackContext): Promise<ChaosRow> {
  const { stalledReaders, searches, vanishingClients, durationMs, maxRequests } =
    profile.slowClients
  const rss = new ResidentSampler(service)
  const outputBefore = service.output().length
  const tally = new OutcomeTally()
  const problems: string[] = []
  const readers: ClientRequest[] = []
  let slowestSearchMs = 0
  let searchesAnswered = 0
  let vanished = 0
  try {
    for (let reader = 0; reader < stalledReaders; reader++) {
      const outgoing = request(`${service.url}/export`, { agent: false })
      outgoing.on('response', (response) => {
        tally.add({ status: response.statusCode })
        response.on('error', () => {})
        // Reads nothing more: the service's writes back up into the socket buffers.
        response.pause()
      })
      outgoing.on('error', () => {})
      outgoing.end()
      readers.push(outgoing)
    }
    const held = await waitForGauges(
      service.url,
      (gauges) => gauges !== undefined && gauges.exportBorrowed >= Math.min(4, stalledReaders),
      5_000,
    )
    if (!held.reached)
      problems.push(`the stalled readers held no export tokens: ${describeLimiters(held.gauges)}`)
    // One search after the other: this checks that search is not starved, not its capacity.
    const answers = []
    for (let index = 0; index < searches; index++) {
      answers.push(
        await exchange(`${service.url}/search?q=${encodeURIComponent(searchQuery(index))}`, {
          patienceMs: profile.clientPatienceMs,
        }),
      )
    }
    for (const answer of answers) {
      tally.add(answer)
      slowestSearchMs = Math.max(slowestSearchMs, answer.elapsedMs)
    }
    searchesAnswered = answers.filter((answer) => answer.status === 200).length
    if (searchesAnswered < searches) {
      const refusals = new OutcomeTally()
      for (const answer of answers) {
        if (answer.status !== 200) refusals.add({ error: refusalOf(answer) })
      }
      problems.push(
        `${searches - searchesAnswered} searches not answered 200 while the readers stalled (${refusals})`,
      )
    }

    await runClients(vanishingClients, { durationMs, maxRequests }, async (index) => {
      await vanish(service.url, index, profile.clientPatienceMs)
      vanished++
      return 'continue'
    })
  } finally {
    for (const reader of readers) reader.destroy()
  }
  const settled = await waitForGauges(service.url, routesAtRest, settleMs)
  if (!settled.reached)
    problems.push(`not at rest ${duration(settleMs)} later: ${describeLimiters(settled.gauges)}`)
  const logged = service
    .output()
    .slice(outputBefore)
    .split('\n')
    .filter((line) => line !== '')
  const errorLines = logged.filter((line) => /error|fail|reset|abort|premature|EPIPE/i.test(line))
  if (errorLines.length > maxErrorLines) {
    problems.push(`${errorLines.length} error lines logged, first: ${errorLines[0]!.slice(0, 160)}`)
  }
  return {
    framework: service.framework,
    attack: '3. slow and vanishing clients',
    expected: `/search answers while ${stalledReaders} export readers stall; clients leaving mid-request/-body/-stream: at most ${maxErrorLines} error lines, route tokens back to 0`,
    observed: [
      `${searchesAnswered}/${searches} searches answered 200 during the stall, slowest ${duration(slowestSearchMs)}`,
      `${vanished} clients vanished`,
      `${errorLines.length} error lines logged`,
      `at rest ${duration(settled.elapsedMs)} after (${describeLimiters(settled.gauges)})`,
      ...problems,
    ].join('; '),
    statuses: tally.toString(),
    rss: await rss.stop(),
    outcome: problems.length === 0 ? 'pass' : 'fail',
  }
}
