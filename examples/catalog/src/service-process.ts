import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

/** A service example running in a child process, for its smoke test. */
export interface ServiceProcess {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Everything the process printed so far. */
  output(): string
  /** Sends SIGTERM and resolves with the exit code once the process has exited (SIGKILL after 20 s). */
  stop(): Promise<number | null>
}

/** Options of {@link startServiceProcess}. */
export interface ServiceProcessOptions {
  /**
   * The database file, kept after the process stops (so a second process can start on it).
   *
   * @default a file in a fresh temporary folder, removed when the process stops
   */
  databaseFile?: string
  /** More environment variables for the child (`CATALOG_SEED_ROWS`, `CATALOG_FULFILMENT_MS`...). */
  env?: Record<string, string>
}

/**
 * Starts a service's `main.ts` on 127.0.0.1, port 0, with its database in a fresh temporary
 * folder (or `databaseFile`), and resolves once it prints where it listens. The child gets the
 * flags a test needs to load TypeScript sources: `--conditions=@loopwork/source --import tsx`.
 */
export async function startServiceProcess(
  mainFile: string,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const folder =
    options.databaseFile === undefined ? mkdtempSync(join(tmpdir(), 'catalog-service-')) : undefined
  const removeFolder = () => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true })
  }
  const child = spawn(
    process.execPath,
    ['--conditions=@loopwork/source', '--import', 'tsx', mainFile],
    {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        CATALOG_DATABASE_FILE: options.databaseFile ?? join(folder!, 'catalog.sqlite'),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = once(child, 'exit')
  const listening = new Promise<string | undefined>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]
      if (url !== undefined) resolve(url)
    })
    void exited.then(() => resolve(undefined))
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const url = await listening
  clearTimeout(timer)
  if (url === undefined) {
    removeFolder()
    throw new Error(`the service did not start:\n${output}`)
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const [code] = (await exited) as [number | null]
      clearTimeout(killer)
      removeFolder()
      return code
    },
  }
}

/** What {@link exerciseServiceProcess} saw. */
export interface ServiceRun<T> {
  result: T
  exitCode: number | null
  output: string
}

/**
 * Starts a service, runs `check` against its URL, then stops it with SIGTERM. A failing check is
 * rethrown with everything the service printed, so a failure in CI says what the server saw.
 */
export async function exerciseServiceProcess<T>(
  mainFile: string,
  check: (url: string) => Promise<T>,
): Promise<ServiceRun<T>> {
  const service = await startServiceProcess(mainFile)
  let result: T
  try {
    result = await check(service.url)
  } catch (error) {
    await service.stop()
    throw new Error(`${(error as Error).message}\n--- service output ---\n${service.output()}`, {
      cause: error,
    })
  }
  const exitCode = await service.stop()
  return { result, exitCode, output: service.output() }
}
