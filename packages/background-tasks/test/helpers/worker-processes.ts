import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'
import type { WorkerMessage } from './worker-messages.js'

/** Node options that make a child process load the package's TypeScript sources, as the tests do. */
export const loadSources = ['--conditions=@loopwork/source', '--import', 'tsx']

/**
 * Runs fixtures (the scripts in test/fixtures) as child processes, and after each test kills those
 * still running, whatever the test's outcome.
 */
export function childProcessesPerTest(): {
  /** Forks `test/fixtures/<fixture>` with an IPC channel, `env` added to this process's own. */
  fork(fixture: string, env?: Readonly<Record<string, string>>): ChildProcess
  /** Kills `child`, started some other way, after the test too. */
  track<T extends ChildProcess>(child: T): T
} {
  const children: ChildProcess[] = []
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL')
        await once(child, 'exit')
      }
    }
  })
  const track = <T extends ChildProcess>(child: T): T => {
    children.push(child)
    return child
  }
  return {
    fork(fixture, env = {}) {
      const script = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url))
      return track(
        fork(script, {
          execArgv: loadSources,
          env: { ...process.env, ...env },
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      )
    },
    track,
  }
}

/** The next message of `type` from a worker process; rejects when the process exits first. */
export function nextMessage<T extends WorkerMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<WorkerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.type !== type) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message as Extract<WorkerMessage, { type: T }>)
    }
    const onExit = (code: number | null) => {
      child.off('message', onMessage)
      reject(new Error(`worker process exited (${code})`))
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}
