import { fork } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { ClosedError, QueueFullError } from '@loopwork/background-tasks'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CatalogService, type CatalogServiceOptions, httpErrorOf } from '../src/index.js'

const crashScript = fileURLToPath(new URL('./fixtures/order-crash.ts', import.meta.url))
const folders: string[] = []
const services: CatalogService[] = []

afterEach(async () => {
  for (const service of services.splice(0)) await shutDown(service)
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function databaseFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'catalog-orders-'))
  folders.push(folder)
  return join(folder, 'catalog.sqlite')
}

async function open(
  file: string,
  options: Partial<CatalogServiceOptions> = {},
): Promise<CatalogService> {
  const service = await CatalogService.open({
    databaseFile: file,
    seedRows: 200,
    log: () => {},
    ...options,
  })
  services.push(service)
  return service
}

/** What the framework adapters' shutdown does with the resources: drain or close each, in order. */
async function shutDown(service: CatalogService, timeoutMs = 2_000): Promise<void> {
  const index = services.indexOf(service)
  if (index >= 0) services.splice(index, 1)
  for (const resource of service.shutdownResources()) {
    const stoppable = resource as {
      drain?: (options: { timeoutMs: number }) => unknown
      close?: (options: { timeoutMs: number }) => unknown
    }
    if (stoppable.drain) await stoppable.drain({ timeoutMs })
    else await stoppable.close?.({ timeoutMs })
  }
}

function stored(file: string) {
  const database = new DatabaseSync(file, { readOnly: true })
  try {
    return {
      orders: database.prepare('SELECT id, status FROM orders ORDER BY id').all() as {
        id: number
        status: string
      }[],
      jobs: (
        database.prepare('SELECT job_key FROM loopwork_jobs ORDER BY id').all() as {
          job_key: string
        }[]
      ).map((row) => row.job_key),
    }
  } finally {
    database.close()
  }
}

function stockOf(file: string, itemId: number): number {
  const database = new DatabaseSync(file, { readOnly: true })
  try {
    return (
      database.prepare('SELECT stock FROM items WHERE id = ?').get(itemId) as { stock: number }
    ).stock
  } finally {
    database.close()
  }
}

const order = (itemId: number) => ({ itemId, quantity: 1, email: 'ada@example.com' })

describe('POST /orders: the order and its fulfilment in one transaction', () => {
  it('writes the order and its fulfilment job together before answering, and the job fulfils the order', async () => {
    const file = databaseFile()
    const service = await open(file)
    const placed = service.placeOrder(order(5))
    // both are committed when placeOrder returns, before any response is sent
    const { orders, jobs } = stored(file)
    expect(orders).toEqual([{ id: placed.id, status: expect.any(String) }])
    expect(jobs).toEqual([`fulfil-${placed.id}`])
    await service.followUps.result(`fulfil-${placed.id}`)
    expect(service.order(String(placed.id)).status).toBe('fulfilled')
  })

  it('refuses the order, writing nothing, when the follow-up queue is full or closing: 503 with Retry-After', async () => {
    const file = databaseFile()
    const service = await open(file, { maxWaitingFulfilments: 1 })
    service.followUps.pause()
    const first = service.placeOrder(order(7))
    const stockAfterFirst = stockOf(file, 7)

    const full = (() => {
      try {
        service.placeOrder(order(7))
      } catch (error) {
        return error
      }
    })()
    expect(full).toBeInstanceOf(QueueFullError)
    expect(httpErrorOf(full)).toMatchObject({
      status: 503,
      headers: { 'retry-after': '1' },
      body: { code: 'LOOPWORK_QUEUE_FULL' },
    })
    expect(stored(file)).toMatchObject({ orders: [{ id: first.id }], jobs: [`fulfil-${first.id}`] })
    expect(stockOf(file, 7)).toBe(stockAfterFirst)

    await service.followUps.close({ timeoutMs: 100 })
    const closing = (() => {
      try {
        service.placeOrder(order(8))
      } catch (error) {
        return error
      }
    })()
    expect(closing).toBeInstanceOf(ClosedError)
    expect(httpErrorOf(closing)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } })
    expect(stored(file).orders).toHaveLength(1)
  })

  it('loses neither or both when the process dies between the writes and the commit (SIGKILL)', async () => {
    const file = databaseFile()
    const marker = `${file}.between`
    const before = (await open(file)).database.itemCount()
    expect(before).toBe(200)
    await shutDown(services[0]!)
    const stockBefore = stockOf(file, 3)
    const child = fork(crashScript, {
      execArgv: ['--conditions=@loopwork/source', '--import', 'tsx'],
      env: { ...process.env, CATALOG_DATABASE_FILE: file, MARKER_FILE: marker },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const exited = once(child, 'exit')
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true), { timeout: 20_000 })
    child.kill('SIGKILL')
    await exited
    const after = stored(file)
    expect(after.orders).toEqual([])
    expect(after.jobs).toEqual([])
    expect(stockOf(file, 3)).toBe(stockBefore)
  }, 30_000)
})

describe('restarts', () => {
  it('runs every unfinished fulfilment after a restart: the ones cut off at the deadline and the ones never started', async () => {
    const file = databaseFile()
    const first = await open(file, { fulfilmentMs: 60_000 })
    const slow = first.placeOrder(order(11))
    await vi.waitFor(() => expect(first.followUps.stats().running).toBe(1))
    first.followUps.pause()
    const waiting = first.placeOrder(order(12))
    await shutDown(first, 200)
    const report = first.followUpsReport!
    expect(report.timedOut).toBe(true)
    expect(report.aborted.map((job) => job.id)).toEqual([`fulfil-${slow.id}`])
    expect(report.notStarted.map((job) => job.id)).toEqual([
      `fulfil-${slow.id}`,
      `fulfil-${waiting.id}`,
    ])
    expect(stored(file).orders.map((row) => row.status)).toEqual(['placed', 'placed'])

    const second = await open(file, { fulfilmentMs: 1 })
    await vi.waitFor(() =>
      expect(stored(file).orders.map((row) => row.status)).toEqual(['fulfilled', 'fulfilled']),
    )
    expect(second.followUps.stats().completed).toBe(2)
  }, 30_000)
})

describe('heavy routes', () => {
  it('gives /search and /export limiters of their own, so export readers cannot starve search', async () => {
    const service = await open(databaseFile())
    expect(service.searchRoutes).not.toBe(service.exportRoutes)
    const exports = Array.from({ length: service.exportRoutes.totalTokens }, () =>
      service.exportRoutes.tryAcquire(),
    )
    expect(exports.every((lease) => lease !== undefined)).toBe(true)
    expect(service.exportRoutes.tryAcquire()).toBeUndefined()
    const search = service.searchRoutes.tryAcquire()
    expect(search).toBeDefined()
    expect(service.searchRoutes.stats().name).toBe('search-routes')
    expect(service.exportRoutes.stats().name).toBe('export-routes')
  })
})
