import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { TaskQueue } from '../src/sqlite/index.js'
import { sqliteFilesPerTest } from './helpers/sqlite-files.js'
import { childProcessesPerTest, loadSources, nextMessage } from './helpers/worker-processes.js'

const packageFolder = fileURLToPath(new URL('..', import.meta.url))
const files = sqliteFilesPerTest()
const processes = childProcessesPerTest()

/** Starts a worker process on the queue in `file`, running `concurrency` jobs at once. */
function startWorker(file: string, concurrency = 1) {
  return processes.fork('sqlite-worker-process.ts', {
    DB_FILE: file,
    CONCURRENCY: String(concurrency),
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
    expect(closed.map((message) => message.report)).toEqual([
      { timedOut: false, aborted: [], notStarted: [] },
      { timedOut: false, aborted: [], notStarted: [] },
    ])
  }, 60_000)

  it('close() ends every wait and leaves no timer: the process exits on its own', async () => {
    const file = files.file()
    const child = processes.fork('sqlite-close-exits.ts', { DB_FILE: file })
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
    const child = processes.track(
      spawn(
        process.execPath,
        [
          '--no-experimental-sqlite',
          ...loadSources,
          '--input-type=module',
          '--eval',
          "await import('@loopwork/background-tasks/sqlite')",
        ],
        { cwd: packageFolder, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    )
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
