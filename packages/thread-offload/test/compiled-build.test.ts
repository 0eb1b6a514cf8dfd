import { execFile } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'tsup'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const packageRoot = fileURLToPath(new URL('../', import.meta.url))
// Inside the package, so the compiled files resolve its dependencies as dist/ does.
const outDir = fileURLToPath(
  new URL('../node_modules/.cache/compiled-build-test/', import.meta.url),
)

beforeAll(async () => {
  await build({
    config: false,
    entry: {
      index: `${packageRoot}src/index.ts`,
      'worker-entry': `${packageRoot}src/worker-entry.ts`,
    },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    clean: true,
    silent: true,
    // The limiter is bundled from its sources, so this test needs no other package built.
    noExternal: ['@loopwork/limiter'],
    esbuildOptions(options) {
      options.conditions = ['@loopwork/source']
    },
  })
}, 60_000)
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

describe('the compiled package', () => {
  it('runs JavaScript and TypeScript task modules from its built files', async () => {
    const script = fileURLToPath(new URL('./fixtures/compiled-pool.mjs', import.meta.url))
    // No loader and no flags in the parent, as in production: the pool itself adds tsx for the
    // TypeScript module.
    const { stdout } = await promisify(execFile)(process.execPath, [script, outDir], {
      timeout: 30_000,
    })
    expect(JSON.parse(stdout)).toEqual({
      javascript: 21,
      typescript: 16,
      error: 'E_OUT_OF_STOCK',
    })
  })

  it('runs tasks in a process started with node --input-type=module -e', async () => {
    const index = pathToFileURL(join(outDir, 'index.js')).href
    const module = new URL('./fixtures/plain.mjs', import.meta.url).href
    const script = [
      `const { WorkerPool } = await import(${JSON.stringify(index)})`,
      `const pool = new WorkerPool({ module: ${JSON.stringify(module)}, maxThreads: 1 })`,
      `console.log(await pool.run('triple', [5]))`,
      'await pool.close()',
    ].join('\n')
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      { timeout: 30_000 },
    )
    expect(stdout.trim()).toBe('15')
  })
})
