// How the durable walk-throughs' worker processes and the process that forks them talk over the IPC
// channel, whatever the backend: the worker says `ready` once it consumes and `started` for every job
// it starts; the parent says `stop` to have it close gracefully.
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import type { CloseOptions, CloseReport, JobContext } from '@loopwork/background-tasks'

/** What a worker process tells its parent when it starts a job. */
export interface JobStartedMessage {
  event: 'started'
  worker: string
  jobId: string
  attempt: number
}

/** What a worker process tells its parent once its queue consumes. */
interface WorkerReadyMessage {
  event: 'ready'
  worker: string
}

/** Tells the parent that this worker process started `job` (nothing without a parent). */
export function announceStart(worker: string, job: JobContext): void {
  const started: JobStartedMessage = {
    event: 'started',
    worker,
    jobId: job.id,
    attempt: job.attempt,
  }
  process.send?.(started)
}

/**
 * Runs this worker process until its parent says `stop` (or SIGTERM), then closes `queue`
 * gracefully, which hands unfinished jobs back to the backend, calls `afterClose` and exits. Tells
 * the parent `ready` at once: a queue consumes from its construction.
 */
export function serveUntilStopped(
  worker: string,
  queue: { close(options: CloseOptions): Promise<CloseReport> },
  afterClose: () => void = () => {},
): void {
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void queue.close({ timeoutMs: 5_000 }).then(() => {
      afterClose()
      process.disconnect?.()
      process.exit(0)
    })
  }
  process.on('message', (message) => {
    if (message === 'stop') stop()
  })
  process.once('SIGTERM', stop)
  const ready: WorkerReadyMessage = { event: 'ready', worker }
  process.send?.(ready)
}

/** A worker process, with every `started` message it sent since it was forked. */
export interface WorkerProcess {
  readonly name: string
  readonly child: ChildProcess
  /** Resolves with the `started` message of job `jobId` (the next one not yet taken). */
  nextStart(jobId: string): Promise<JobStartedMessage>
  /** Asks the worker to close gracefully and resolves with its exit code once it has exited. */
  stop(): Promise<number | null>
}

/**
 * Forks the worker process `name` from `entry` (with `env` added to this process's environment) and
 * resolves once it is consuming. Its messages are recorded from the start: a job may start before
 * the caller of this function gets to listen.
 */
export async function startWorker(
  entry: string,
  name: string,
  env: Record<string, string>,
): Promise<WorkerProcess> {
  const child = fork(entry, [], {
    execArgv: process.execArgv,
    env: { ...process.env, ...env, WORKER_NAME: name },
  })
  const starts: JobStartedMessage[] = []
  let wake: (() => void) | undefined
  child.on('message', (message: JobStartedMessage | WorkerReadyMessage) => {
    if (message.event !== 'started') return
    starts.push(message)
    wake?.()
  })
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${name} exited with code ${code} before it was ready`)
    }),
  ])) as [JobStartedMessage | WorkerReadyMessage]
  if (message.event !== 'ready') throw new Error(`${name} sent ${JSON.stringify(message)} first`)
  return {
    name,
    child,
    async nextStart(jobId) {
      for (;;) {
        const index = starts.findIndex((start) => start.jobId === jobId)
        if (index >= 0) return starts.splice(index, 1)[0]!
        await new Promise<void>((resolve) => {
          wake = resolve
        })
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      const exited = once(child, 'exit')
      child.send('stop')
      const [code] = (await exited) as [number | null]
      return code
    },
  }
}

/** Kills (SIGKILL) every one of `workers` still running, so a failed walk-through leaves none behind. */
export function killWorkers(workers: Iterable<WorkerProcess>): void {
  for (const { child } of workers) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}
