// Finds the runtimes the conformance suite drives and runs fixture scripts on them. Bun and Deno come
// from the npm registry as devDependencies of the repository (`bun`, `deno`); their binaries are in
// per-platform packages (@oven/bun-<platform>-<arch>, @deno/<platform>-<arch>) that are resolved here
// directly, so neither package's install script has to run. A missing binary fails the suite.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** What fixtures/check-harness.mjs prints in front of its report line. */
const REPORT_MARKER = '@@loopwork-runtime-report '

/** The runtimes the fixtures run on: the suite's own Node, Bun and Deno. */
export type Runtime = 'node' | 'bun' | 'deno'

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url))
const requireFromRoot = createRequire(join(repositoryRoot, 'package.json'))

/** The platform packages that may hold a runtime's binary here, most specific first. */
function platformPackages(runtime: 'bun' | 'deno'): string[] {
  const { platform, arch } = process
  if (runtime === 'bun') {
    const cpu = arch === 'arm64' ? 'aarch64' : arch
    const os = platform === 'win32' ? 'windows' : platform
    return [`@oven/bun-${os}-${cpu}`, `@oven/bun-${os}-${cpu}-musl`]
  }
  const os = platform === 'linux' ? 'linux' : platform
  return [`@deno/${os}-${arch}-glibc`, `@deno/${os}-${arch}`]
}

const binaryFile = { bun: join('bin', 'bun'), deno: 'deno' }

/**
 * The path of a runtime's binary: for Node, the one running the suite (so the fixtures run on
 * Node 24 and again on Node 22 when `npm test` runs the suite on both); for Bun and Deno, the binary
 * of the installed devDependency. Throws, naming what is missing, when it is not installed.
 */
export function runtimeBinary(runtime: Runtime): string {
  if (runtime === 'node') return process.execPath
  const exe = process.platform === 'win32' ? '.exe' : ''
  let wrapper: string
  try {
    wrapper = requireFromRoot.resolve(`${runtime}/package.json`)
  } catch {
    throw new Error(
      `${runtime} is not installed: it is a devDependency of the repository; run pnpm install`,
    )
  }
  const requireFromWrapper = createRequire(wrapper)
  const tried = platformPackages(runtime)
  for (const name of tried) {
    try {
      const folder = dirname(requireFromWrapper.resolve(`${name}/package.json`))
      const binary = join(folder, binaryFile[runtime] + exe)
      if (existsSync(binary)) return binary
    } catch {
      // not this platform's package; try the next one
    }
  }
  throw new Error(
    `no ${runtime} binary for ${process.platform}-${process.arch}: none of ${tried.join(', ')} is installed next to ${wrapper}`,
  )
}

/** Where Redis listens for the fixtures, as `host:port`. */
export function redisAddress(): string {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  return `${url.hostname}:${url.port || '6379'}`
}

/** What a fixture needs beyond reading the repository; Deno is given exactly that. */
export interface FixtureNeeds {
  /** Connects to Redis (and reads environment variables, as ioredis and BullMQ do). */
  readonly redis?: boolean
  /** A fresh folder to write in, passed as the script's argument and removed afterwards. */
  readonly folder?: boolean
  /** System information it reads (Deno's `--allow-sys` names, such as `hostname`). */
  readonly sys?: readonly string[]
}

/** Deno's permissions for what a fixture needs: reading the repository, and `needs`. */
export function denoPermissions(needs: FixtureNeeds, folder?: string): string[] {
  const read = [repositoryRoot]
  const permissions: string[] = []
  if (folder !== undefined) {
    read.push(folder)
    permissions.push(`--allow-write=${folder}`)
  }
  permissions.push(`--allow-read=${read.join(',')}`)
  if (needs.redis) permissions.push('--allow-env', `--allow-net=${redisAddress()}`)
  if (needs.sys !== undefined) permissions.push(`--allow-sys=${needs.sys.join(',')}`)
  return permissions
}

/**
 * The command that runs `script` with `scriptArgs` on `runtime`; Deno gets `denoFlags` (its
 * permissions).
 */
export function runtimeCommand(
  runtime: Runtime,
  script: string,
  denoFlags: readonly string[],
  scriptArgs: readonly string[] = [],
) {
  const binary = runtimeBinary(runtime)
  if (runtime !== 'deno') return { binary, args: [script, ...scriptArgs] }
  return { binary, args: ['run', '--no-prompt', ...denoFlags, script, ...scriptArgs] }
}

/** One check's outcome, as the fixture reported it. */
export interface CheckResult {
  readonly ok: boolean
  readonly ms: number
  readonly facts?: Record<string, unknown>
  readonly error?: { name?: string; code?: string; message: string; stack?: string }
}

/** What a fixture printed. */
export interface FixtureReport {
  readonly runtime: string
  readonly version: string
  readonly results: Record<string, CheckResult>
}

/** A finished fixture run. */
export interface FixtureRun {
  /** The report, or `undefined` when the fixture printed none (it crashed or hung). */
  readonly report: FixtureReport | undefined
  /** The exit code; `null` when it had to be killed. */
  readonly exitCode: number | null
  /** Whether it exited by itself within the time allowed after its report (nothing left running). */
  readonly exitedOnItsOwn: boolean
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a fixture script (a path relative to test/runtimes/fixtures) on `runtime` and collects its
 * report. The process gets `timeoutMs` to report and `exitGraceMs` more to exit by itself, which it
 * does only when the packages left no timer, handle or thread running; otherwise it is killed.
 */
export async function runFixture(
  runtime: Runtime,
  fixture: string,
  options: FixtureNeeds & { timeoutMs?: number; exitGraceMs?: number } = {},
): Promise<FixtureRun> {
  const script = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))
  const folder = options.folder ? mkdtempSync(join(tmpdir(), 'loopwork-runtime-')) : undefined
  const { binary, args } = runtimeCommand(
    runtime,
    script,
    denoPermissions(options, folder),
    folder === undefined ? [] : [folder],
  )
  const child = spawn(binary, args, {
    cwd: repositoryRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  try {
    return await collect(child, options.timeoutMs ?? 60_000, options.exitGraceMs ?? 5_000)
  } finally {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true })
  }
}

function collect(child: ChildProcess, timeoutMs: number, exitGraceMs: number): Promise<FixtureRun> {
  let stdout = ''
  let stderr = ''
  let report: FixtureReport | undefined
  let killed = false
  const kill = () => {
    killed = true
    child.kill('SIGKILL')
  }
  let timer = setTimeout(kill, timeoutMs)
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    if (report !== undefined) return
    const line = stdout.split('\n').find((candidate) => candidate.startsWith(REPORT_MARKER))
    if (line === undefined || !stdout.includes('\n', stdout.indexOf(line))) return
    report = JSON.parse(line.slice(REPORT_MARKER.length)) as FixtureReport
    clearTimeout(timer)
    timer = setTimeout(kill, exitGraceMs)
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ report, exitCode: code, exitedOnItsOwn: !killed, stdout, stderr })
    })
  })
}

/** Runs `tasks` at most `limit` at a time, keeping their order in the result. */
export async function inBatches<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await tasks[index]!()
    }
  })
  await Promise.all(lanes)
  return results
}
