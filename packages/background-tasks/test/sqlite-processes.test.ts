import { type ChildProcess, fork, spawn } from 'node:child_process'
import { once } from 'node:events'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { TaskQueue } from '../src/sqlite/index.js'
import { sqliteFilesPerTest } from './helpers/sqlite-files.js'

const workerScript = fileURLToPath(new URL('./fixtures/sqlite-worker-process.ts', import.meta.url))
const closeScript = fileURLToPath(new URL('./fixtures/sqlite-close-exits.ts', import.meta.url))
const packageFolder = fileURLToPath(new URL('..', import.meta.url))
const loadSources = ['--conditions=@loopwork/source', '--import', 'tsx']
const files = sqliteFilesPerTest()
const children: ChildProcess[] = []

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  }
})

interface WorkerMessage {
  readonly type: 'ready' | 'started' | 'closed' | 'error'
  readonly id?: string
  readonly attempt?: number
  readonly pid?: number
}

function startWorker(file: string, concurrency = 1): ChildProcess {
  const child = fork(workerScript, {
    execArgv: loadSources,
    env: { ...process.env, DB_FILE: file, CONCURRENCY: String(concurrency) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.push(child)
  return child
}

function nextMessage(child: ChildProcess, type: WorkerMessage['type']): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.type !== type) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(message)
    }
    const onExit = (code: number | null) => reject(new Error(`worker process exited (${code})`))
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

const producerHandlers = {
  hang: (_data: { label: string }) => {},
  count: (data: { n: number }) => data.n,
}

describe('TaskQueue on SQLite across processes', () => {
  it('runs a job again after its worker process was killed mid-run (SIGKILL), and it completes', async () => {
    const file = files.file()
    const producer = files.track(
      new TaskQueue({ file, consume: false, pollIntervalMs: 10, handlers: producerHandlers }),
    )
    const first = startWorker(file)
    const started = nextMessage(first, 'started')
    const id = await producer.add('hang', { label: 'report-42' })
    expect(await started).toMatchObject({ id, attempt: 1, pid: first.pid })
    first.kill('SIGKILL')
    await once(first, 'exit')

    const second = startWorker(file)
    // the killed worker's lease is taken back (its process is gone), and the job runs again
    const again = await nextMessage(second, 'started')
    expect(again).toMatchObject({ id, attempt: 1, pid: second.pid })
    const stored = new DatabaseSync(file)
    files.track(stored)
    expect(stored.prepare('SELECT state, stalls FROM loopwork_jobs').all()).toEqual([
      { state: 1, stalls: 1 },
    ])
  }, 30_000)

  it('lets two processes share one file without running any job twice', async () => {
    const file = files.file()
    const producer = files.track(
      new TaskQueue({ file, consume: false, pollIntervalMs: 10, handlers: producerHandlers }),
    )
    const side = files.track(new DatabaseSync(file))
    side.exec('PRAGMA busy_timeout = 10000')
    side.exec('CREATE TABLE runs (job_id TEXT NOT NULL, pid INTEGER NOT NULL)')
    const workers = [startWorker(file, 4), startWorker(file, 4)]
    await Promise.all(workers.map((worker) => nextMessage(worker, 'ready')))
    const jobCount = 150
    const ids = await Promise.all(
      Array.from({ length: jobCount }, (_, n) => producer.add('count', { n })),
    )
    await producer.onIdle()
    const runs = side
      .prepare('SELECT job_id AS id, count(*) AS runs FROM runs GROUP BY job_id')
      .all() as { id: string; runs: number }[]
    expect(runs).toHaveLength(jobCount)
    expect(runs.filter((run) => run.runs !== 1)).toEqual([])
    expect(new Set(runs.map((run) => run.id))).toEqual(new Set(ids))
    expect(await producer.result(ids[0]!)).toBe(0)
    const closed = await Promise.all(
      workers.map((worker) => {
        const report = nextMessage(worker, 'closed')
        worker.send('close')
        return report
      }),
    )
    expect(closed.map((message) => (message as { report?: unknown }).report)).toEqual([
      { timedOut: false, aborted: [], notStarted: [] },
      { timedOut: false, aborted: [], notStarted: [] },
    ])
  }, 60_000)

  it('close() ends every wait and leaves no timer: the process exits on its own', async () => {
    const file = files.file()
    const child = fork(closeScript, {
      execArgv: loadSources,
      env: { ...process.env, DB_FILE: file },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    children.push(child)
    const exited = once(child, 'exit')
    const [message] = (await once(child, 'message')) as [
      {
        report: { notStarted: { name: string; attempt: number }[] }
        waiting: string
        idle: string
      },
    ]
    expect(message.waiting).toBe('ClosedError')
    expect(message.idle).toBe('idle resolved')
    // both stay in the file, in the order they may run
    expect(message.report.notStarted.map((job) => [job.name, job.attempt])).toEqual([
      ['later', 0],
      ['flaky', 1],
    ])
    const [code] = await exited
    expect(code).toBe(0)
  }, 30_000)

  it('fails to import with a clear error on a Node.js without node:sqlite', async () => {
    const child = spawn(
      process.execPath,
      [
        '--no-experimental-sqlite',
        ...loadSources,
        '--input-type=module',
        '--eval',
        "await import('@loopwork/background-tasks/sqlite')",
      ],
      { cwd: packageFolder, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    children.push(child)
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(1)
    expect(stderr).toMatch(
      /@loopwork\/background-tasks\/sqlite needs the node:sqlite module, built into Node\.js 22\.13\.0 and later without a flag, but this Node\.js \(v[\d.]+\) does not provide it \(--no-experimental-sqlite turned it off\)/,
    )
  }, 30_000)
})
