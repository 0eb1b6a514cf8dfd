import { Agent } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ChaosRow } from '../chaos-table.js'
import { exchange, OutcomeTally } from '../http-exchange.js'
import type { RedisSidecar } from '../redis-sidecar.js'
import { ResidentSampler } from '../service-child.js'
import { type AttackContext, duration, runClients } from './attack-context.js'

/** Lookups sent around the kill: half before, half after. */
const outageMs = 2_000

/**
 * Attack 7b: the Redis a service was given through `REDIS_URL` (a redis-server of the run's own)
 * killed while clients look items up. A service that holds a connection to it must keep
 * answering from memory: no 5xx, nothing unanswered. A service that never connected uses no
 * Redis, and the row is skipped with that reason.
 */
export async function redisOutage(
  { service, profile }: AttackContext,
  redis: RedisSidecar | undefined,
): Promise<ChaosRow> {
  const row = {
    framework: service.framework,
    attack: '7b. Redis killed mid-run',
    expected: 'the cache degrades to memory: lookups keep answering 200, no 5xx',
  }
  if (redis === undefined) {
    return { ...row, observed: 'skipped: no redis-server to run', statuses: '', outcome: 'skip' }
  }
  const clients = await redis.connectedClients()
  if (clients === 0) {
    await redis.kill()
    return {
      ...row,
      observed: `skipped: the service opened no connection to the Redis at REDIS_URL; it uses none (in-process TtlCache, SQLite queue)`,
      statuses: '',
      outcome: 'skip',
    }
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  const tally = new OutcomeTally()
  const rss = new ResidentSampler(service)
  const load = runClients(8, { durationMs: outageMs, maxRequests: 5_000 }, async (index) => {
    tally.add(
      await exchange(`${service.url}/items/${1 + (index % 200)}`, {
        agent,
        patienceMs: profile.clientPatienceMs,
      }),
    )
    return 'continue'
  })
  await sleep(outageMs / 2)
  await redis.kill()
  await load
  agent.destroy()
  const failed = tally.total() - tally.count('200')
  return {
    ...row,
    observed: `${clients} Redis connections; ${tally.total()} lookups over ${duration(outageMs)}, Redis killed halfway; ${failed} not answered 200`,
    statuses: tally.toString(),
    rss: await rss.stop(),
    outcome: failed === 0 ? 'pass' : 'fail',
  }
}
