// The browser check every catalog service's status-page test runs: the service in a child process,
// Debian's Chromium driven by playwright-core, and what a person would see on /status/. One check,
// so the three services' pages behave alike.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { chromium, type Page } from 'playwright-core'

/** Where the test machines have Chromium: Debian's package (`npm test` installs it when missing). */
export const chromiumPath = '/usr/bin/chromium'

/** The primitive the fixture adds to the service, named like an attack on the page. */
export const hostileName = '<img src=x onerror=alert(1)>'

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Every wait of the check gives up after this long: no check can hang. */
const waitMs = 10_000

/** What the check saw. */
export interface StatusPageReport {
  /** Every URL the page requested. */
  requests: string[]
  /** The first row of the route table after the load on /items/:id. */
  topRoute: string
  /** The blocked-loop report the page showed for GET /debug/block. */
  block: string
}

/** Options of {@link checkStatusPage}. */
export interface StatusPageCheckOptions {
  /** Saves a PNG of the page once everything is on it. */
  screenshot?: string
}

/**
 * Starts the service whose `main.ts` is `mainFile` (port 0, fresh database, debug routes on, a
 * primitive named {@link hostileName} tracked by a preloaded fixture), opens its status page in
 * Chromium and asserts: no console error and no request leaving 127.0.0.1; the numbers update; a
 * 300 ms block of the event loop appears with its route; after load on /items/:id that route tops
 * the table; the hostile name renders as text, with no dialog. Throws an AssertionError naming the
 * first thing that is wrong, with what the service printed.
 */
export async function checkStatusPage(
  mainFile: string,
  options: StatusPageCheckOptions = {},
): Promise<StatusPageReport> {
  const service = await startService(mainFile)
  const profile = mkdtempSync(join(tmpdir(), 'status-page-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 1000 },
  })
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    return await exercise(page, service.url, options)
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- service output ---\n${service.output()}`, {
      cause: error,
    })
  } finally {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
    await service.stop()
  }
}

async function exercise(
  page: Page,
  origin: string,
  options: StatusPageCheckOptions,
): Promise<StatusPageReport> {
  const problems: string[] = []
  const requests: string[] = []
  const dialogs: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()}`)
    }
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('request', (request) => requests.push(request.url()))
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })

  const response = await page.goto(`${origin}/status/`)
  assert.equal(response?.status(), 200, 'GET /status/')
  assert.match(
    response.headers()['content-security-policy'] ?? '',
    /^default-src 'none'; script-src 'sha256-/,
    'the page is sent with a strict Content-Security-Policy',
  )
  await page.waitForSelector('body[data-mode="live"]', { timeout: waitMs })

  // The numbers update: the time of the latest snapshot changes within a few seconds.
  const updated = await page.textContent('#updated')
  await page.waitForFunction(
    (first) =>
      (globalThis as unknown as BrowserGlobals).document.getElementById('updated')?.textContent !==
      first,
    updated,
    { timeout: waitMs },
  )

  // A 300 ms block of the event loop shows up with the route that blocked it.
  const blocked = await fetch(`${origin}/debug/block?ms=300`)
  assert.equal(blocked.status, 200, 'GET /debug/block?ms=300')
  const block = page.locator('#blocks li', { hasText: '/debug/block' }).first()
  await block.waitFor({ timeout: waitMs })
  const blockText = (await block.textContent()) ?? ''
  assert.match(blockText, /blocked \d+ ms/, 'the block shows its duration')
  assert.match(blockText, /GET\/debug\/block/, 'the block shows its method and route')

  // Load on /items/:id puts it at the top of the route table. The block may have tripped the
  // overload guard (300 ms), whose 503s some services answer before measuring: wait it out.
  await notOverloaded(origin)
  await load(origin, 200)
  await page.waitForFunction(
    () =>
      (globalThis as unknown as BrowserGlobals).document.querySelector('#routes tr td:first-child')
        ?.textContent === 'GET/items/:id',
    undefined,
    { timeout: waitMs },
  )
  const topRoute = (await page.textContent('#routes tr td:first-child')) ?? ''

  // A primitive named like markup is shown as its text, and nothing runs.
  const hostile = page.locator('.panel .name', { hasText: hostileName })
  await hostile.waitFor({ timeout: waitMs })
  assert.equal(await hostile.textContent(), hostileName, 'the hostile name is shown as text')
  assert.equal(await hostile.isVisible(), true, 'the hostile name is visible')
  assert.equal(await page.locator('#panels img').count(), 0, 'no element was made from a name')
  assert.deepEqual(dialogs, [], 'no dialog opened')

  if (options.screenshot !== undefined) {
    await page.waitForTimeout(1_500)
    await page.screenshot({ path: options.screenshot, fullPage: true })
  }
  assert.deepEqual(problems, [], 'no console error or warning, no page error')
  const foreign = requests.filter((url) => !url.startsWith(`${origin}/`) && url !== 'data:,')
  assert.deepEqual(foreign, [], 'every request went to the service on 127.0.0.1')
  return { requests, topRoute, block: blockText }
}

/**
 * The page's globals, for functions that run in the browser (this package has no DOM types); a
 * type assertion only, since those functions are sent to the page as source text.
 */
interface BrowserGlobals {
  document: {
    getElementById(id: string): { textContent: string | null } | null
    querySelector(selector: string): { textContent: string | null } | null
  }
}

/** Waits until `GET /health` says the overload guard lets requests in again. */
async function notOverloaded(origin: string): Promise<void> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const health = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(waitMs) })
    const { overloaded } = (await health.json()) as { overloaded?: boolean }
    if (overloaded === false) return
    assert.ok(Date.now() < deadline, 'the overload guard recovers after the block')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** `count` lookups of /items/:id, 10 at a time; 503s from the overload guard count as load too. */
async function load(origin: string, count: number): Promise<void> {
  let next = 1
  const worker = async () => {
    while (next <= count) {
      const id = next++
      const answer = await fetch(`${origin}/items/${id}`, { signal: AbortSignal.timeout(waitMs) })
      await answer.arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: 10 }, worker))
}

interface RunningService {
  url: string
  output(): string
  stop(): Promise<void>
}

/**
 * The service in a child process, loading TypeScript sources like the other service tests, with
 * the fixture that tracks the hostile primitive preloaded.
 */
async function startService(mainFile: string): Promise<RunningService> {
  const folder = mkdtempSync(join(tmpdir(), 'catalog-status-page-'))
  const fixture = fileURLToPath(new URL('../test/fixtures/hostile-primitive.ts', import.meta.url))
  const child = spawn(
    process.execPath,
    ['--conditions=@loopwork/source', '--import', 'tsx', '--import', fixture, mainFile],
    {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        CATALOG_DATABASE_FILE: join(folder, 'catalog.sqlite'),
        CATALOG_DEBUG_ROUTES: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = once(child, 'exit')
  const url = await new Promise<string | undefined>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]
      if (found !== undefined) resolve(found)
    })
    void exited.then(() => resolve(undefined))
    setTimeout(() => resolve(undefined), 60_000).unref()
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(killer)
    rmSync(folder, { recursive: true, force: true })
  }
  if (url === undefined) {
    await stop()
    throw new Error(`the service did not start:\n${output}`)
  }
  return { url, output: () => output, stop }
}
