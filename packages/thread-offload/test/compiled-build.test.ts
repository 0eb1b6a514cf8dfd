import { execFile } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { transform } from 'esbuild'
import { build } from 'tsup'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildThreadEntryCode, THREAD_ENTRY_NAME } from '../build/embed-thread-entry.js'

const packageRoot = fileURLToPath(new URL('../', import.meta.url))
const outDir = fileURLToPath(
  new URL('../node_modules/.cache/compiled-build-test/', import.meta.url),
)
// The compiled index.js alone, away from the repository: no file beside it, no node_modules.
const deployed = mkdtempSync(join(tmpdir(), 'thread-offload-compiled-'))

beforeAll(async () => {
  await build({
    config: false,
    entry: { index: `${packageRoot}src/index.ts` },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    clean: true,
    silent: true,
    removeNodeProtocol: false,
    // The package's own build step: the thread entry travels inside index.js.
    esbuildPlugins: [(await import('../build/embed-thread-entry.js')).embedThreadEntry()],
    // Its dependencies are bundled too (the limiter from its sources), so index.js stands alone.
    noExternal: ['@loopwork/limiter', 'eventemitter3'],
    esbuildOptions(options) {
      options.conditions = ['@loopwork/source']
    },
  })
  copyFileSync(join(outDir, 'index.js'), join(deployed, 'index.js'))
  // As the published package.json says.
  writeFileSync(join(deployed, 'package.json'), JSON.stringify({ type: 'module' }))
}, 60_000)
afterAll(() => {
  rmSync(outDir, { recursive: true, force: true })
  rmSync(deployed, { recursive: true, force: true })
})

describe('the thread entry embedded at build time', () => {
  it('is one module that imports only node: builtins and never reads import.meta', async () => {
    const code = await buildThreadEntryCode()
    const imports = [...code.matchAll(/\b(?:from|import)\s*["']([^"']+)["']/g)].map(
      (match) => match[1],
    )
    expect(imports.length).toBeGreaterThan(0)
    for (const specifier of imports) expect(specifier).toMatch(/^node:/)
    expect(code).not.toContain('import.meta')
    expect(code.trimEnd().endsWith(`//# sourceURL=${THREAD_ENTRY_NAME}`)).toBe(true)
  })

  it('is in index.js, which names no worker file and keeps working in CommonJS output', async () => {
    const index = readFileSync(join(outDir, 'index.js'), 'utf8')
    expect(index).toContain(`sourceURL=${THREAD_ENTRY_NAME}`)
    expect(index).not.toContain('worker-entry.js')
    // A CommonJS bundle empties import.meta; esbuild warns wherever the code reads it.
    const cjs = await transform(index, { format: 'cjs', platform: 'node', logLevel: 'silent' })
    expect(cjs.warnings.map((warning) => warning.id)).not.toContain('empty-import-meta')
  })
})

describe('the compiled package', () => {
  it('runs JavaScript and TypeScript task modules from index.js alone, in another folder', async () => {
    const script = fileURLToPath(new URL('./fixtures/compiled-pool.mjs', import.meta.url))
    // No loader and no flags in the parent, as in production: the pool itself adds tsx for the
    // TypeScript module, found from the module's own folder.
    const { stdout } = await promisify(execFile)(process.execPath, [script, deployed], {
      cwd: deployed,
      timeout: 30_000,
    })
    expect(JSON.parse(stdout)).toEqual({
      javascript: 21,
      typescript: 16,
      error: 'E_OUT_OF_STOCK',
      threadFrames: THREAD_ENTRY_NAME,
      missingImportedFrom: THREAD_ENTRY_NAME,
    })
  })

  it('has a Node thread evaluate the embedded code, or import it when module syntax detection is off', async () => {
    const index = pathToFileURL(join(deployed, 'index.js')).href
    const module = new URL('./fixtures/plain.mjs', import.meta.url).href
    const script = [
      `const { WorkerPool } = await import(${JSON.stringify(index)})`,
      `const pool = new WorkerPool({ module: ${JSON.stringify(module)}, maxThreads: 1 })`,
      `const argv = await pool.run('threadArgv', [])`,
      `console.log(JSON.stringify({ tripled: await pool.run('triple', [5]), evaluated: argv.includes('[worker eval]') }))`,
      'await pool.close()',
    ].join('\n')
    const run = async (flags: string[]) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...flags, '--input-type=module', '-e', script],
        { timeout: 30_000 },
      )
      return JSON.parse(stdout)
    }
    expect(await run([])).toEqual({ tripled: 15, evaluated: true })
    // Evaluated code would be taken for CommonJS: the thread starts from a data: URL instead.
    expect(await run(['--no-experimental-detect-module'])).toEqual({
      tripled: 15,
      evaluated: false,
    })
  })

  it('runs tasks in a process started with node --input-type=module -e', async () => {
    const index = pathToFileURL(join(deployed, 'index.js')).href
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
