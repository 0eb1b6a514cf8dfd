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
 * `data/catalog.sqlite` in the example's folder, git-ignored), serves on `HOST` (default
 * 127.0.0.1) and `PORT` (default 3000), prints where it listens, and shuts down gracefully on
 * SIGTERM or SIGINT, printing what the shutdown did.
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
  log(
    `catalog service (${framework}): opening ${databaseFile} (seeded with 100,000 items on first start)`,
  )
  const service = await CatalogService.open({ databaseFile, log })
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
        log(`shut down: ${JSON.stringify(report)}`)
        process.exit(0)
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
