// The packages on Cloudflare Workers: Workers bundled by esbuild from the packages' published entry
// points (packages/*/dist, resolved through their exports with the `workerd` condition, as
// wrangler resolves them) and run in workerd through miniflare, with a compatibility date of
// 2026-04-01 and nodejs_compat. Two rules of the platform shape what is checked: nothing may start
// a timer (or do I/O) at global scope, and a timer belongs to the request that started it: once
// that request has answered (and its waitUntil work settled), the timer never fires.
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { build, type Plugin } from 'esbuild'
import { Miniflare, NoOpLog } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repositoryRoot } from './runtimes.js'

const compatibility = {
  modules: true,
  compatibilityDate: '2026-04-01',
  compatibilityFlags: ['nodejs_compat'],
  // No Request.cf lookup on the network: placeholders.
  cf: false,
} as const

/**
 * Resolves `@loopwork/<package>[/<entry>]` inside that package's own folder, where Node's package
 * self-reference applies its `exports`: the bundle gets exactly what a user's bundler would.
 */
const loopworkPackages: Plugin = {
  name: 'loopwork-packages',
  setup(builder) {
    builder.onResolve({ filter: /^@loopwork\/[^/]+/ }, (args) => {
      if (args.pluginData === 'self-reference') return undefined
      const folder = args.path.split('/')[1]!
      return builder.resolve(args.path, {
        kind: args.kind,
        resolveDir: join(repositoryRoot, 'packages', folder),
        pluginData: 'self-reference',
      })
    })
  },
}

/** Bundles one Worker of fixtures/worker/ into a single ES module, as wrangler would. */
async function bundle(file: string): Promise<string> {
  const result = await build({
    entryPoints: [join(repositoryRoot, 'test', 'runtimes', 'fixtures', 'worker', file)],
    bundle: true,
    write: false,
    format: 'esm',
    // Node's built-in modules stay imports; workerd provides them under nodejs_compat.
    platform: 'node',
    target: 'es2023',
    conditions: ['workerd', 'worker', 'browser'],
    // hono, for the Worker's own imports, from the package that depends on it.
    nodePaths: [join(repositoryRoot, 'packages', 'adapters', 'node_modules')],
    plugins: [loopworkPackages],
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let hono: Miniflare
let nodeOnly: Miniflare

async function request(worker: Miniflare, path: string, init?: RequestInit) {
  const response = await worker.dispatchFetch(`http://worker.test${path}`, init as never)
  const text = await response.text()
  const json = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined
  return { status: response.status, headers: response.headers, text, json }
}

beforeAll(async () => {
  const [honoScript, nodeOnlyScript] = await Promise.all([
    bundle('hono-worker.mjs'),
    bundle('node-only-worker.mjs'),
  ])
  hono = new Miniflare({ ...compatibility, script: honoScript })
  nodeOnly = new Miniflare({ ...compatibility, script: nodeOnlyScript })
  await Promise.all([hono.ready, nodeOnly.ready])
}, 60_000)

afterAll(async () => {
  await Promise.all([hono?.dispose(), nodeOnly?.dispose()])
})

describe('a Hono Worker with the limiter, batcher, TTL cache, background tasks and the Hono adapter', () => {
  it('starts with every primitive created at module scope: none starts a timer there', async () => {
    // The Worker created a Batcher, two TtlCaches, a CapacityLimiter, a TaskSupervisor and a
    // TaskQueue at module scope; workerd refuses a Worker whose global scope starts a timer, as
    // the control below shows, so answering at all proves that none did.
    expect((await request(hono, '/stats')).status).toBe(200)
    const control = new Miniflare({
      ...compatibility,
      // Its start-up failure is expected: keep workerd's report of it out of the test output.
      log: new NoOpLog(),
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        stdout.resume()
        stderr.resume()
      },
      script: 'setTimeout(() => {}, 10)\nexport default { fetch: () => new Response("up") }',
    })
    try {
      await expect(control.dispatchFetch('http://worker.test/')).rejects.toThrow(
        /Disallowed operation called within global scope/,
      )
    } finally {
      await control.dispose().catch(() => {})
    }
  })

  it('responseCache answers MISS then HIT; lookups of two requests in flight share one batch', async () => {
    const first = await request(hono, '/items/1')
    expect([first.status, first.headers.get('x-cache'), first.json]).toEqual([
      200,
      'MISS',
      { id: 1, name: 'item 1' },
    ])
    expect((await request(hono, '/items/1')).headers.get('x-cache')).toBe('HIT')
    const both = await Promise.all([request(hono, '/items/2'), request(hono, '/items/3')])
    expect(both.map((answer) => answer.json.id)).toEqual([2, 3])
    const batches = (await request(hono, '/batches')).json as number[][]
    expect(batches).toEqual([[1], [2, 3]])
  })

  it('concurrencyLimit refuses a request past the limiter with 503 while the token is held', async () => {
    const holding = request(hono, '/heavy?ms=300')
    // Sent once the first request holds the limiter's only token (maxWaiting 0: no queue).
    while ((await request(hono, '/stats')).json.limiter.running === 0) await sleep(5)
    const refused = await request(hono, '/heavy?ms=1')
    const held = await holding
    expect([held.status, held.text]).toEqual([200, 'done'])
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).not.toBeNull()
    expect(refused.json).toMatchObject({ reason: 'concurrency-limit' })
  })

  it('after-response work runs through executionCtx.waitUntil: adapter tasks, BackgroundTasks, a retried job', async () => {
    const placed = await request(hono, '/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'oak-chair' }),
    })
    expect(placed.status).toBe(201)
    const id = placed.json.id as number
    // The response came first; the work finishes after it, within waitUntil.
    let order = (await request(hono, `/orders/${id}`)).json
    for (let attempt = 0; attempt < 50 && !(order.receipt && order.fulfilled); attempt++) {
      await sleep(20)
      order = (await request(hono, `/orders/${id}`)).json
    }
    // The job failed once and ran again after its backoff: attempt 2.
    expect(order).toEqual({ receipt: true, audit: true, fulfilled: 2 })
  })

  it('streamIterable streams every chunk of an async iterable', async () => {
    const streamed = await request(hono, '/stream')
    expect(streamed.status).toBe(200)
    expect(streamed.text).toBe('row 0\nrow 1\nrow 2\nrow 3\nrow 4\n')
  })

  it('a TTL entry written by one request has expired in a later one; a later insert sweeps it', async () => {
    // ttlMs 50, sweepIntervalMs 20: timers armed by the writing request die with it.
    expect((await request(hono, '/short/old', { method: 'POST' })).json).toEqual({ size: 1 })
    await sleep(120)
    // Nobody reads "old"; the next insert, an interval later, sweeps it.
    expect((await request(hono, '/short/new', { method: 'POST' })).json).toEqual({ size: 1 })
    const read = await request(hono, '/short/new?wait=120')
    expect(read.json).toEqual({ value: null, size: 0 })
  })
})

describe('what cannot run on Workers fails at import or construction with a named error', () => {
  it('@loopwork/thread-offload imports, and new WorkerPool() throws UnsupportedRuntimeError', async () => {
    expect((await request(nodeOnly, '/thread-offload/import')).json).toEqual({ ok: true })
    expect((await request(nodeOnly, '/thread-offload/pool')).json).toMatchObject({
      ok: false,
      name: 'UnsupportedRuntimeError',
      code: 'LOOPWORK_UNSUPPORTED_RUNTIME',
      message: expect.stringMatching(/^WorkerPool needs worker threads .*Cloudflare Workers/),
    })
  })

  it('@loopwork/metrics throws UnsupportedRuntimeError at import, naming what workerd lacks', async () => {
    for (const path of ['/metrics/import', '/metrics/create', '/metrics/guard']) {
      expect((await request(nodeOnly, path)).json).toMatchObject({
        ok: false,
        name: 'UnsupportedRuntimeError',
        code: 'LOOPWORK_UNSUPPORTED_RUNTIME',
        message: expect.stringMatching(
          /^@loopwork\/metrics does not run on Cloudflare Workers.*monitorEventLoopDelay/,
        ),
      })
    }
  })
})
