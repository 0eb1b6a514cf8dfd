import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'
import type { Order } from '../src/index.js'
import { startServiceProcess } from '../src/service-process.js'

const mainFile = fileURLToPath(new URL('./fixtures/plain-http-service.ts', import.meta.url))
const folders: string[] = []

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  return { status: response.status, body: await response.json() }
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 50) {
    if (await check()) return
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

it('exits non-zero when the shutdown deadline cuts a fulfilment off, lists every fulfilment not finished, and the next start runs them', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'catalog-shutdown-'))
  folders.push(folder)
  const databaseFile = join(folder, 'catalog.sqlite')
  const slow = await startServiceProcess(mainFile, {
    databaseFile,
    env: { CATALOG_SEED_ROWS: '200', CATALOG_FULFILMENT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '500' },
  })
  let exitCode: number | null
  let placed: Order
  try {
    const answer = await json(`${slow.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ itemId: 9, quantity: 1, email: 'ada@example.com' }),
    })
    expect(answer.status).toBe(201)
    placed = answer.body as Order
    await waitFor(
      async () => (await json(`${slow.url}/health`)).body.followUps.running === 1,
      'the fulfilment to start',
    )
  } finally {
    exitCode = await slow.stop()
  }
  const output = slow.output()
  expect(exitCode, output).toBe(1)
  expect(output).toContain('the shutdown deadline passed: work was cut short (exit code 1)')
  const shutDownLine = output.split('\n').find((line) => line.startsWith('shut down: '))!
  const report = JSON.parse(shutDownLine.slice('shut down: '.length))
  expect(report.timedOut).toBe(true)
  expect(report.fulfilments).toEqual({
    aborted: [`fulfil-${placed.id}`],
    notStarted: [`fulfil-${placed.id}`],
  })

  // the next start on the same file runs the fulfilment that was cut off
  const next = await startServiceProcess(mainFile, {
    databaseFile,
    env: { CATALOG_SEED_ROWS: '200', CATALOG_FULFILMENT_MS: '1' },
  })
  try {
    await waitFor(
      async () => (await json(`${next.url}/orders/${placed.id}`)).body.status === 'fulfilled',
      'the order to be fulfilled after the restart',
    )
  } finally {
    expect(await next.stop()).toBe(0)
  }
  expect(next.output()).toMatch(/shut down: \{"timedOut":false/)
}, 90_000)
