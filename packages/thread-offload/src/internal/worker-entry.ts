/**
 * The entry point of every pool thread: loads the task module, tells the pool it is ready (or why
 * it could not load), then serves calls. It imports nothing but the few files it needs, so a
 * thread starts as fast as Node can start one. The package build bundles it into one string that
 * travels inside `index.js` (see `thread-entry-code.ts`).
 */
import { workerData } from 'node:worker_threads'
import { serializeError } from './error-transport.js'
import type { ThreadBootData, ThreadControlMessage } from './protocol.js'
import { ResultBuffer } from './result-buffer.js'
import { TaskRunner } from './task-runner.js'

const boot = workerData as ThreadBootData
const port = boot.port

async function loadTasks(): Promise<Record<string, unknown> | undefined> {
  try {
    if (boot.loader !== undefined) await import(boot.loader)
    return taskTable((await import(boot.module)) as Record<string, unknown>)
  } catch (error) {
    const message: ThreadControlMessage = {
      type: 'startup-failed',
      error: serializeError(
        withEntryName(error instanceof Error ? error : new Error(String(error))),
      ),
    }
    port.postMessage(message)
    return undefined
  }
}

/**
 * How the platform names the built thread entry in its messages: its whole code as a `data:` URL,
 * or, evaluated, a made-up file in the working directory (`/srv/app/[eval1]`, `[worker eval]`).
 */
const ENTRY_URL =
  /data:text\/javascript[;,][^\s'")]*|(?:file:\/\/)?[^\s'"()]*\[(?:worker )?eval\d*\]/g

/**
 * The error with the thread entry called by its name: a module that cannot be found is reported
 * as "imported from" the module that imported it, here the built thread entry.
 */
function withEntryName(error: Error): Error {
  try {
    error.message = error.message.replace(ENTRY_URL, 'loopwork-thread.js')
    if (typeof error.stack === 'string') {
      error.stack = error.stack.replace(ENTRY_URL, 'loopwork-thread.js')
    }
  } catch {
    // A frozen error keeps its words.
  }
  return error
}

/** Named exports, plus the functions of a CommonJS module's `module.exports` (its default export). */
function taskTable(namespace: Record<string, unknown>): Record<string, unknown> {
  const table: Record<string, unknown> = Object.create(null)
  const fallback = namespace.default
  if (fallback !== null && typeof fallback === 'object') {
    for (const [name, value] of Object.entries(fallback)) {
      if (typeof value === 'function') table[name] = value
    }
  }
  for (const name of Object.keys(namespace)) table[name] = namespace[name]
  return table
}

const tasks = await loadTasks()
if (tasks === undefined) {
  process.exit(1)
} else {
  const results = new ResultBuffer(port)
  // process.exit() inside a task still delivers the results that finished before it.
  process.on('exit', () => results.flush())
  const runner = new TaskRunner(
    tasks,
    new Int32Array(boot.control),
    port,
    results,
    performance.timeOrigin - boot.timeOrigin,
  )
  const ready: ThreadControlMessage = { type: 'ready' }
  port.postMessage(ready)
  port.on('message', runner.onMessage)
}
