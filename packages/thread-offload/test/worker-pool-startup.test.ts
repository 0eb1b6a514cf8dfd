import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { WorkerPool, WorkerStartupError } from '../src/index.js'
import { rejectionOf } from './pool-fixtures.js'

const scratch = mkdtempSync(join(tmpdir(), 'thread-offload-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const pools: WorkerPool<any>[] = []
function poolFor(module: URL | string) {
  const pool = new WorkerPool({ module, maxThreads: 2 })
  pools.push(pool)
  let spawned = 0
  pool.on('threadSpawn', () => spawned++)
  return { pool, spawned: () => spawned }
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.destroy()))
})

/** Every call fails with WorkerStartupError carrying `cause`, also later ones, and no thread is spawned again. */
async function expectStartupFailure(module: URL | string, checkCause: (cause: any) => void) {
  const { pool, spawned } = poolFor(module)
  const first = await Promise.allSettled([pool.run('echo', [1]), pool.run('echo', [2])])
  for (const outcome of first) {
    expect(outcome.status).toBe('rejected')
    const error = (outcome as PromiseRejectedResult).reason
    expect(error).toBeInstanceOf(WorkerStartupError)
    expect(error.code).toBe('LOOPWORK_WORKER_STARTUP')
    checkCause(error.cause)
  }
  const threadsSpawned = spawned()
  // Later calls reject at once: no thread, no hang.
  const later = await rejectionOf(pool.run('echo', [3]))
  expect(later).toBeInstanceOf(WorkerStartupError)
  checkCause(later.cause)
  expect(spawned()).toBe(threadsSpawned)
  expect(pool.stats().threads).toBe(0)
}

describe('a module that fails to load', () => {
  it('rejects every call when the file is missing', async () => {
    await expectStartupFailure(pathToFileURL(join(scratch, 'missing.mjs')), (cause) => {
      expect(cause.code).toBe('ERR_MODULE_NOT_FOUND')
    })
  })

  it('says a missing file is likely a bundling problem, naming the path it looked at', async () => {
    const missing = join(scratch, 'out', 'tasks.js')
    const { pool } = poolFor(pathToFileURL(missing))
    const error = await rejectionOf(pool.run('echo', [1]))
    expect(error).toBeInstanceOf(WorkerStartupError)
    expect(error.message).toBe(
      `The task module ${missing} does not exist, so no worker thread can load it. If the server is bundled, the bundler did not emit the task module as a file: build it as an entry of its own, with a fixed name, next to the server's bundle, or point the module option at where it is deployed (see "Bundling" in the @loopwork/thread-offload README)`,
    )
    // Later calls get the same words.
    expect((await rejectionOf(pool.run('echo', [2]))).message).toBe(error.message)
  })

  it('says a task module whose own import is missing was likely copied without it', async () => {
    const file = join(scratch, 'copied-alone.mjs')
    writeFileSync(file, "export { format } from './helper.mjs'\n")
    const { pool } = poolFor(file)
    const error = await rejectionOf(pool.run('format', [1]))
    expect(error).toBeInstanceOf(WorkerStartupError)
    expect(error.cause.code).toBe('ERR_MODULE_NOT_FOUND')
    expect(error.message).toContain(`The task module ${file} failed to load in a worker thread: `)
    expect(error.message).toContain('helper.mjs')
    expect(error.message).toContain(
      'If the server is bundled, the task module was copied without the files it imports: build it as an entry of its own',
    )
  })

  it('rejects every call on a syntax error', async () => {
    const file = join(scratch, 'syntax-error.mjs')
    writeFileSync(file, 'export function broken( {\n')
    await expectStartupFailure(file, (cause) => expect(cause.name).toBe('SyntaxError'))
  })

  it('rejects every call when the module throws at import', async () => {
    await expectStartupFailure(
      new URL('./fixtures/throws-at-import.js', import.meta.url),
      (cause) => {
        expect(cause.message).toBe('configuration missing')
      },
    )
  })

  it('rejects every call when threads keep dying before they run anything', async () => {
    await expectStartupFailure(
      new URL('./fixtures/crashes-after-import.js', import.meta.url),
      (cause) => expect(cause.message).toBe('background setup failed'),
    )
  })

  it('rejects a call made while the pool was still starting its threads', async () => {
    const pool = new WorkerPool({
      module: new URL('./fixtures/throws-at-import.js', import.meta.url),
      minThreads: 2,
      maxThreads: 2,
    })
    pools.push(pool)
    await expect(pool.run('echo', [1])).rejects.toBeInstanceOf(WorkerStartupError)
  })
})
