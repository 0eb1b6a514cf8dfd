import { Agent, get } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { type LatencySummary, summarizeLatencies } from './latency-summary.js'

/** What the probe measured. */
export interface ProbeResult extends LatencySummary {
  sent: number
  errors: number
}

/** Options of {@link probeHealth}. */
export interface ProbeOptions {
  /** The URL probed, e.g. `http://127.0.0.1:3000/health`. */
  url: string
  /** Requests per second, sent at evenly spaced instants. */
  ratePerSecond: number
  /** How long to probe. */
  durationMs: number
  /** A probe that takes longer than this counts as an error. @default 10_000 */
  timeoutMs?: number
}

/**
 * Probes a URL at a fixed rate and measures each request from the moment it is sent to the end of
 * its response.
 *
 * Why not a second autocannon: autocannon's rate limit sends each second's quota back to back and
 * then waits for the next second, and each connection waits for its previous response before the
 * next request (a closed loop). A closed-loop probe stops sending while the server is stalled, so
 * it records one slow request where a real client would have seen many (coordinated omission).
 * This probe sends on schedule whether or not earlier probes have answered; each one waits on its
 * own keep-alive socket and records its own wait. It is bounded: `ratePerSecond x durationMs`
 * requests at most, each with a timeout.
 */
export async function probeHealth(options: ProbeOptions): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const count = Math.max(1, Math.floor((options.ratePerSecond * options.durationMs) / 1000))
  const intervalMs = 1000 / options.ratePerSecond
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const latencies: number[] = []
  let errors = 0
  const pending: Array<Promise<void>> = []
  const started = performance.now()
  try {
    for (let index = 0; index < count; index++) {
      const delay = started + index * intervalMs - performance.now()
      if (delay > 0) await sleep(delay)
      pending.push(
        timedGet(options.url, agent, timeoutMs).then(
          (latency) => void latencies.push(latency),
          () => void errors++,
        ),
      )
    }
    await Promise.all(pending)
  } finally {
    agent.destroy()
  }
  return { sent: count, errors, ...summarizeLatencies(latencies) }
}

/** One GET, resolved with its latency in milliseconds once the whole body has arrived with a 200. */
function timedGet(url: string, agent: Agent, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = performance.now()
    const request = get(url, { agent, timeout: timeoutMs }, (response) => {
      response.resume()
      response.once('end', () => {
        if (response.statusCode === 200) resolve(performance.now() - sent)
        else reject(new Error(`status ${response.statusCode}`))
      })
      response.once('error', reject)
    })
    request.once('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    request.once('error', reject)
  })
}
