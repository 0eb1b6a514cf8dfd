import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import type { AttackContext } from './attacks/attack-context.js'
import { malformedRequests } from './attacks/malformed-requests.js'
import { orderFlood } from './attacks/order-flood.js'
import { redisOutage } from './attacks/redis-outage.js'
import { searchOverload } from './attacks/search-overload.js'
import { sigkillMidFlood } from './attacks/sigkill-mid-flood.js'
import { sigtermUnderLoad } from './attacks/sigterm-under-load.js'
import { slowClients } from './attacks/slow-clients.js'
import { workerCrash } from './attacks/worker-crash.js'
import type { ChaosProfile } from './chaos-profile.js'
import type { ChaosRow } from './chaos-table.js'
import { exchange } from './http-exchange.js'
import { type RedisSidecar, startRedisSidecar } from './redis-sidecar.js'
import { frameworks as allFrameworks, type Framework, ServiceChild } from './service-child.js'

/** What {@link runChaos} takes. */
export interface ChaosRunOptions {
  profile: ChaosProfile
  /** @default all three */
  frameworks?: readonly Framework[]
  /** Progress lines. */
  log?: (line: string) => void
}

/** The longest a service may take to print where it listens (the first start seeds its database). */
const startTimeoutMs = 120_000
/** The longest a final graceful stop may take before the process is killed. */
const stopTimeoutMs = 30_000

type Attack = (
  context: AttackContext,
  redis: RedisSidecar | undefined,
) => Promise<ChaosRow> | ChaosRow

/** Every attack, in the order a service gets them: the last ones stop and restart it. */
const attacks: readonly [name: string, attack: Attack][] = [
  ['1. malformed requests', malformedRequests],
  ['2. search overload', searchOverload],
  ['3. slow and vanishing clients', slowClients],
  ['4. order flood', orderFlood],
  ['5. SIGTERM under load', sigtermUnderLoad],
  ['6. SIGKILL mid-flood', sigkillMidFlood],
  ['7a. worker thread crash', workerCrash],
  ['7b. Redis killed mid-run', redisOutage],
]

/** The services' `GET /search` pays for starting its first worker thread: done before the attacks. */
async function warmUp(url: string): Promise<void> {
  await exchange(`${url}/search?q=oak`, { patienceMs: 30_000 })
  await exchange(`${url}/items/1`, { patienceMs: 30_000 })
}

/** Runs every attack on one service, in a fresh database folder, and stops it afterwards. */
async function attackService(
  framework: Framework,
  profile: ChaosProfile,
  log: (line: string) => void,
): Promise<ChaosRow[]> {
  const folder = mkdtempSync(join(tmpdir(), `chaos-${framework}-`))
  const redis = await startRedisSidecar()
  const start = () =>
    ServiceChild.start({
      framework,
      databaseFile: join(folder, 'catalog.sqlite'),
      seedRows: profile.seedRows,
      startTimeoutMs,
      env: redis === undefined ? {} : { REDIS_URL: redis.url },
    })
  const rows: ChaosRow[] = []
  let context: AttackContext | undefined
  try {
    const started = performance.now()
    const service = await start()
    log(
      `${framework}: listening on ${service.url} after ${Math.round(performance.now() - started)} ms`,
    )
    await warmUp(service.url)
    const running: AttackContext = {
      service,
      profile,
      restart: async () => {
        running.service = await start()
        return running.service
      },
    }
    context = running
    for (const [name, attack] of attacks) {
      if (running.service.exit !== undefined) {
        log(
          `${framework}: the service had exited (${JSON.stringify(running.service.exit)}); restarting`,
        )
        await running.restart()
      }
      const attackStarted = performance.now()
      let row: ChaosRow
      try {
        row = await attack(running, redis)
      } catch (error) {
        row = {
          framework,
          attack: name,
          expected: '',
          observed: `the attack failed: ${error instanceof Error ? error.message : String(error)}`,
          statuses: '',
          outcome: 'fail',
        }
      }
      rows.push(row)
      log(
        `${framework}: ${row.attack}: ${row.outcome} in ${Math.round(performance.now() - attackStarted)} ms: ${row.observed}`,
      )
    }
  } catch (error) {
    rows.push({
      framework,
      attack: 'start',
      expected: 'the service starts on port 0 and prints where it listens',
      observed: error instanceof Error ? error.message.slice(0, 500) : String(error),
      statuses: '',
      outcome: 'fail',
    })
  } finally {
    if (context !== undefined) {
      const exit = await context.service.terminate(stopTimeoutMs)
      if (exit.code !== 0) {
        rows.push({
          framework,
          attack: 'final SIGTERM',
          expected: 'the restarted service stops cleanly (exit 0)',
          observed: `exit ${exit.code ?? exit.signal}`,
          statuses: '',
          outcome: 'fail',
        })
      }
    }
    await redis?.kill()
    rmSync(folder, { recursive: true, force: true })
  }
  return rows
}

/**
 * Starts each framework's service as a child process on 127.0.0.1 and runs every attack on it,
 * one service after the other; resolves with one row per attack and service.
 */
export async function runChaos(options: ChaosRunOptions): Promise<ChaosRow[]> {
  const log = options.log ?? (() => {})
  const rows: ChaosRow[] = []
  for (const framework of options.frameworks ?? allFrameworks) {
    rows.push(...(await attackService(framework, options.profile, log)))
  }
  return rows
}

/** The machine a run happened on, for the table's caption. */
export function describeMachine(): string {
  const processors = cpus()
  return `${processors.length} × ${processors[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, load average ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')}`
}
