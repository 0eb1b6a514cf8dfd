import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'

/** The three catalog services the chaos run attacks. */
export type Framework = 'express' | 'fastify' | 'hono'

/** Every framework, in the order the run attacks them. */
export const frameworks: readonly Framework[] = ['express', 'fastify', 'hono']

/** The frameworks `CHAOS_FRAMEWORKS` names (`hono,express`), all three when it is unset. */
export function frameworksFromEnvironment(value = process.env.CHAOS_FRAMEWORKS): Framework[] {
  if (value === undefined || value.trim() === '') return [...frameworks]
  return value.split(',').map((name) => {
    const framework = name.trim() as Framework
    if (!frameworks.includes(framework)) {
      throw new RangeError(
        `CHAOS_FRAMEWORKS lists "${name}"; allowed: ${frameworks.join(', ')} (comma-separated)`,
      )
    }
    return framework
  })
}

/** How a service was told to start: its folder and the `start` script of its package.json. */
export interface StartScript {
  folder: string
  /** The TypeScript entry the script runs with tsx, relative to `folder`. */
  entry: string
}

const require = createRequire(import.meta.url)

/**
 * Finds a service's `start` script through its published package (`tsx src/main.ts`), so the
 * chaos run starts the service exactly as `pnpm start` does, without importing any of its code.
 */
export function startScriptOf(framework: Framework): StartScript {
  const manifestFile = require.resolve(`@loopwork-example/service-${framework}/package.json`)
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    scripts?: { start?: string }
  }
  const entry = /^tsx (\S+\.ts)$/.exec(manifest.scripts?.start ?? '')?.[1]
  if (entry === undefined) {
    throw new Error(
      `service-${framework}'s start script is ${JSON.stringify(manifest.scripts?.start)}, expected "tsx <file>.ts"`,
    )
  }
  return { folder: dirname(manifestFile), entry }
}

/** How a service child ended. */
export interface ServiceExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** What starting a service child takes. */
export interface ServiceChildOptions {
  framework: Framework
  /** The SQLite file; a restart passes the same one. */
  databaseFile: string
  /** Items seeded on first start. */
  seedRows: number
  /** Longest wait for the `listening on` line. */
  startTimeoutMs: number
  /** More environment for the child (`REDIS_URL`...). */
  env?: Record<string, string>
}

/**
 * A catalog service running in a child process on 127.0.0.1, port 0, started through its
 * package's `start` script (with the `@loopwork/source` condition, so no build is needed).
 */
export class ServiceChild {
  readonly framework: Framework
  readonly url: string
  readonly pid: number
  readonly #child: ChildProcess
  readonly #exited: Promise<ServiceExit>
  #output = ''
  #exit: ServiceExit | undefined

  private constructor(framework: Framework, child: ChildProcess, url: string, output: string) {
    this.framework = framework
    this.#child = child
    this.pid = child.pid!
    this.url = url
    this.#output = output
    this.#exited = once(child, 'exit').then(([code, signal]) => {
      this.#exit = { code: code as number | null, signal: signal as NodeJS.Signals | null }
      return this.#exit
    })
  }

  /** Starts the service and resolves once it prints where it listens (or rejects with its output). */
  static async start(options: ServiceChildOptions): Promise<ServiceChild> {
    const script = startScriptOf(options.framework)
    const child = spawn(
      process.execPath,
      ['--conditions=@loopwork/source', '--import', 'tsx', join(script.folder, script.entry)],
      {
        cwd: script.folder,
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          PORT: '0',
          CATALOG_DATABASE_FILE: options.databaseFile,
          CATALOG_SEED_ROWS: String(options.seedRows),
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    let service: ServiceChild | undefined
    const append = (text: string) => {
      if (service === undefined) output += text
      else service.#output += text
    }
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', append)
    const listening = new Promise<string | undefined>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        append(`${line}\n`)
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]
        if (url !== undefined) resolve(url)
      })
      child.once('exit', () => resolve(undefined))
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.startTimeoutMs)
    const url = await listening
    clearTimeout(timer)
    if (url === undefined) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      throw new Error(`service-${options.framework} did not start:\n${output}`)
    }
    service = new ServiceChild(options.framework, child, url, output)
    return service
  }

  /** Everything the service printed so far (stdout and stderr). */
  output(): string {
    return this.#output
  }

  /** How the process ended, once it has. */
  get exit(): ServiceExit | undefined {
    return this.#exit
  }

  /** Resolves when the process has exited. */
  exited(): Promise<ServiceExit> {
    return this.#exited
  }

  /** The process's resident set size in bytes right now, or `undefined` once it is gone. */
  residentBytes(): number | undefined {
    if (this.#exit !== undefined) return undefined
    return residentBytesOf(this.pid)
  }

  /** Sends a signal (if the process still runs). */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit === undefined) this.#child.kill(signal)
  }

  /**
   * Sends SIGTERM and waits for the exit, at most `timeoutMs`; past it the process is killed
   * with SIGKILL (and the exit says so).
   */
  async terminate(timeoutMs: number): Promise<ServiceExit> {
    this.signal('SIGTERM')
    const killer = setTimeout(() => this.signal('SIGKILL'), timeoutMs)
    try {
      return await this.#exited
    } finally {
      clearTimeout(killer)
    }
  }

  /** Kills the process with SIGKILL and waits for it to be gone. */
  async kill(): Promise<ServiceExit> {
    this.signal('SIGKILL')
    return this.#exited
  }
}

/** A process's resident set size in bytes (Linux `/proc`, else `ps`), or `undefined`. */
function residentBytesOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
    return kilobytes === undefined ? undefined : Number(kilobytes) * 1024
  } catch {
    return undefined
  }
}

/**
 * Samples a service's resident set size every `intervalMs` while an attack runs, for its
 * before / peak / after figures.
 */
export class ResidentSampler {
  readonly #service: ServiceChild
  readonly before: number
  #peak: number
  #running = true
  readonly #loop: Promise<void>

  constructor(service: ServiceChild, intervalMs = 100) {
    this.#service = service
    this.before = service.residentBytes() ?? 0
    this.#peak = this.before
    this.#loop = (async () => {
      while (this.#running) {
        await sleep(intervalMs)
        this.#take()
      }
    })()
  }

  #take(): number | undefined {
    const now = this.#service.residentBytes()
    if (now !== undefined && now > this.#peak) this.#peak = now
    return now
  }

  /** Stops sampling; returns before, peak and after (after is `undefined` if the process is gone). */
  async stop(): Promise<ResidentFigures> {
    this.#running = false
    await this.#loop
    const after = this.#take()
    return { before: this.before, peak: this.#peak, after }
  }
}

/** Resident set sizes of one attack, in bytes. */
export interface ResidentFigures {
  before: number
  peak: number
  after: number | undefined
}
