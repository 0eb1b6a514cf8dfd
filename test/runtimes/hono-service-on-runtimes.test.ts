// The Hono catalog service (examples/service-hono) on Bun and on Deno, each with its own server
// (Bun.serve, Deno.serve) running the app's fetch handler, passes the same black-box check as on
// Node: cached and batched lookups, search in the worker pool, orders with after-response work and
// a retried follow-up, the streamed export, /metrics; then SIGTERM shuts it down gracefully.
// The service runs from the example's TypeScript sources and the packages' built dist/.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkCatalogService,
  type ServiceCheckReport,
} from '../../examples/catalog/src/service-check.ts'
import { repositoryRoot, runtimeCommand } from './runtimes.js'

const entry = fileURLToPath(new URL('./fixtures/service/catalog-hono-main.ts', import.meta.url))

/**
 * What Deno needs for the service: its TypeScript imports `.js` names of `.ts` files
 * (`--sloppy-imports`); it reads the repository and its database folder, writes the database,
 * reads PORT and the CATALOG_* variables, listens on 127.0.0.1, and the SQLite queue names its
 * lease owner after the host name.
 */
function denoFlags(folder: string): string[] {
  return [
    '--sloppy-imports',
    `--allow-read=${repositoryRoot},${folder}`,
    `--allow-write=${folder}`,
    '--allow-env',
    '--allow-net=127.0.0.1',
    '--allow-sys=hostname',
  ]
}

interface ServiceRun {
  check: ServiceCheckReport | Error
  exitCode: number | null
  output: string
}

/** Starts the service on `runtime`, checks it, stops it with SIGTERM; never rejects. */
async function exercise(runtime: 'bun' | 'deno'): Promise<ServiceRun> {
  const folder = mkdtempSync(join(tmpdir(), `catalog-${runtime}-`))
  const { binary, args } = runtimeCommand(runtime, entry, denoFlags(folder))
  const child = spawn(binary, args, {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      NO_COLOR: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      CATALOG_DATABASE_FILE: join(folder, 'catalog.sqlite'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = once(child, 'exit') as Promise<[number | null]>
  try {
    const url = await listening(child, exited, (line) => {
      output += `${line}\n`
    })
    if (url === undefined) {
      return { check: new Error(`the service did not start`), exitCode: null, output }
    }
    const check = await checkCatalogService(url).catch((error: Error) => error)
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    const [exitCode] = await exited
    clearTimeout(killer)
    return { check, exitCode, output }
  } finally {
    child.kill('SIGKILL')
    rmSync(folder, { recursive: true, force: true })
  }
}

/** Resolves with the URL the service prints once it listens, or `undefined` if it exits first. */
function listening(
  child: ChildProcess,
  exited: Promise<unknown>,
  onLine: (line: string) => void,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 60_000)
    createInterface({ input: child.stdout! }).on('line', (line) => {
      onLine(line)
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]
      if (url !== undefined) {
        clearTimeout(timer)
        resolve(url)
      }
    })
    void exited.then(() => resolve(undefined))
  })
}

const runs = new Map<string, ServiceRun>()

beforeAll(async () => {
  const [bun, deno] = await Promise.all([exercise('bun'), exercise('deno')])
  runs.set('bun', bun)
  runs.set('deno', deno)
}, 170_000)

afterAll(() => runs.clear())

describe.each(['bun', 'deno'] as const)('the Hono catalog service on %s', (runtime) => {
  it('answers every route as on Node: lookups, search, orders, export, metrics', () => {
    const run = runs.get(runtime)!
    if (run.check instanceof Error) {
      throw new Error(`${run.check.message}\n--- service output ---\n${run.output}`)
    }
    expect(run.check).toEqual({ items: 100_000, orderId: 1, exportedLines: 100_001 })
    expect(run.output).toContain(`catalog service (hono on ${runtime}) listening on http://`)
  })

  it('shuts down gracefully on SIGTERM: server stopped, work drained, exit code 0', () => {
    const run = runs.get(runtime)!
    expect(run.output).toMatch(/SIGTERM: shutting down gracefully\nshut down: \{"timedOut":false/)
    const report = JSON.parse(/shut down: (\{.*\})/.exec(run.output)![1]!)
    // The service's resources (supervisor, follow-up queue, worker pool, the rest), each drained.
    expect(report.resources.length).toBeGreaterThanOrEqual(3)
    for (const resource of report.resources) expect(resource.outcome).toBe('drained')
    expect(report.resources.map((resource: { name: string }) => resource.name)).toContain(
      'catalog-queries',
    )
    expect(run.exitCode).toBe(0)
  })
})
