import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ComparisonOptions } from './comparison-options.js'
import type { ServerReady } from './server-main.js'

/** The server child process, once it listens. */
export interface ServerProcess {
  ready: ServerReady
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** Sends SIGTERM and waits for the process to exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>
}

/** How long the server may take to calibrate, start its threads and listen. */
const startTimeoutMs = 30_000

/**
 * Starts `server-main.ts` in a child process with this process's own Node flags (so it loads
 * TypeScript the same way), and resolves once it printed its `listening` line.
 */
export async function startServerProcess(options: ComparisonOptions): Promise<ServerProcess> {
  const entry = fileURLToPath(new URL('./server-main.ts', import.meta.url))
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      entry,
      `--framework=${options.framework}`,
      `--work-ms=${options.workMs}`,
      '--host=127.0.0.1',
      '--port=0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const ready = await readyLine(child)
  return {
    ready,
    origin: `http://127.0.0.1:${ready.port}`,
    stop: (graceMs = 10_000) => stopChild(child, graceMs),
  }
}

async function readyLine(child: ChildProcess): Promise<ServerReady> {
  const lines = createInterface({ input: child.stdout! })
  const timer = setTimeout(() => child.kill('SIGKILL'), startTimeoutMs)
  try {
    // The output closes when the process exits, so this loop also ends on a crash or the timeout.
    for await (const line of lines) {
      const message = JSON.parse(line) as Partial<ServerReady>
      if (message.event === 'listening') return message as ServerReady
    }
    throw new Error(
      `the server process ended before it listened (exit code ${child.exitCode ?? child.signalCode})`,
    )
  } finally {
    clearTimeout(timer)
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}
