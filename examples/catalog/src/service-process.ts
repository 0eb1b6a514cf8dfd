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

/**
 * Starts a service's `main.ts` on 127.0.0.1, port 0, with its database in a fresh temporary
 * folder, and resolves once it prints where it listens. The child gets the flags a test needs to
 * load TypeScript sources: `--conditions=@loopwork/source --import tsx`.
 */
export async function startServiceProcess(mainFile: string): Promise<ServiceProcess> {
  const folder = mkdtempSync(join(tmpdir(), 'catalog-service-'))
  const child = spawn(
    process.execPath,
    ['--conditions=@loopwork/source', '--import', 'tsx', mainFile],
    {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        CATALOG_DATABASE_FILE: join(folder, 'catalog.sqlite'),
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
    rmSync(folder, { recursive: true, force: true })
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
      rmSync(folder, { recursive: true, force: true })
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
