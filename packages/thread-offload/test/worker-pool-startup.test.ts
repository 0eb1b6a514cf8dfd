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
