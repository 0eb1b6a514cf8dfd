import { fileURLToPath } from 'node:url'
import { CatalogService } from './catalog-service.js'

/** Where a service listens. */
export interface ListenAddress {
  host: string
  port: number
}

/** A service started by its framework's glue: where it listens and how it shuts down. */
export interface RunningCatalogServer {
  /** `http://host:port` */
  url: string
  /** Graceful shutdown: stop taking requests, drain, close; resolves with the framework's report. */
  close(): Promise<unknown>
}

/** Starts the catalog on one framework; the only part each service example writes itself. */
export type ServeCatalog = (
  service: CatalogService,
  address: ListenAddress,
) => Promise<RunningCatalogServer>

/**
 * Reads a whole-number setting from the environment (`undefined` when unset), or throws an error
 * naming the variable, the value and what is allowed.
 */
export function wholeNumberFromEnvironment(
  name: string,
  value = process.env[name],
): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,9}$/.test(value)) {
    throw new RangeError(`${name} must be a whole number from 0 to 999999999, got "${value}"`)
  }
  return Number(value)
}

/** Reads `PORT` (default 3000), or throws an error naming the value and what is allowed. */
export function portFromEnvironment(value = process.env.PORT): number {
  const text = value ?? '3000'
  const port = Number(text)
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw new RangeError(`PORT must be a whole number from 0 to 65535, got "${text}"`)
  }
  return port
}

/**
 * Runs a catalog service process: opens the database (`CATALOG_DATABASE_FILE`, by default
 * `data/catalog.sqlite` in the example's folder, git-ignored; `CATALOG_SEED_ROWS` items on first
 * start, 100,000 by default), serves on `HOST` (default 127.0.0.1) and `PORT` (default 3000),
 * prints where it listens, and shuts down gracefully on SIGTERM or SIGINT, printing what the
 * shutdown did: the framework's report plus the fulfilments cut off at the deadline and every
 * fulfilment not started (all of them run at the next start). The process exits with 0 after a
 * clean shutdown, and with 1 when the shutdown hit its deadline (connections cut, work aborted) or
 * failed, so a supervisor or CI sees that work was cut short. `CATALOG_FULFILMENT_MS` sets how
 * long a fulfilment takes (20 ms by default; it stands in for the warehouse's API).
 *
 * @example
 * await runCatalogService('fastify', serveWithFastify, new URL('..', import.meta.url))
 */
export async function runCatalogService(
  framework: string,
  serve: ServeCatalog,
  exampleFolder: URL,
): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`)
  const databaseFile =
    process.env.CATALOG_DATABASE_FILE ??
    fileURLToPath(new URL('data/catalog.sqlite', exampleFolder))
  const port = portFromEnvironment()
  const host = process.env.HOST ?? '127.0.0.1'
  const seedRows = wholeNumberFromEnvironment('CATALOG_SEED_ROWS') ?? 100_000
  const fulfilmentMs = wholeNumberFromEnvironment('CATALOG_FULFILMENT_MS')
  log(
    `catalog service (${framework}): opening ${databaseFile} (seeded with ${seedRows.toLocaleString('en-US')} items on first start)`,
  )
  const service = await CatalogService.open({ databaseFile, log, seedRows, fulfilmentMs })
  const server = await serve(service, { host, port })
  log(`catalog service (${framework}) listening on ${server.url}`)
  log(`status page (loopback clients only): ${server.url}/status/`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log(`${signal}: shutting down gracefully`)
    server.close().then(
      (report) => {
        const followUps = service.followUpsReport
        log(
          `shut down: ${JSON.stringify({
            ...(report as object),
            fulfilments: {
              aborted: followUps?.aborted.map((job) => job.id) ?? [],
              notStarted: followUps?.notStarted.map((job) => job.id) ?? [],
            },
          })}`,
        )
        const cutShort = (report as { timedOut?: unknown }).timedOut === true
        if (cutShort) log('the shutdown deadline passed: work was cut short (exit code 1)')
        process.exit(cutShort ? 1 : 0)
      },
      (error: unknown) => {
        log(`shutdown failed: ${String(error)}`)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}
