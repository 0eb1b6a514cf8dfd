import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { WorkerPool } from '../src/index.js'
import { isTypeScript, resolveTaskModule, threadLoading } from '../src/internal/module-location.js'
import { withoutRefusedFlags } from '../src/internal/thread-exec-argv.js'
import { rejectionOf } from './pool-fixtures.js'

const fixtures = new URL('./fixtures/', import.meta.url)
const pools: WorkerPool<any>[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.destroy()))
})

describe('pointing the pool at a module', () => {
  it('maps a .js URL to the .ts source next to it, as TypeScript maps specifiers', () => {
    expect(resolveTaskModule(new URL('tasks.js', fixtures))).toBe(
      new URL('tasks.ts', fixtures).href,
    )
    expect(resolveTaskModule(new URL('plain.mjs', fixtures))).toBe(
      new URL('plain.mjs', fixtures).href,
    )
  })

  it('loads a TypeScript module whose own imports use .js specifiers', async () => {
    const pool = new WorkerPool<typeof import('./fixtures/tasks.js')>({
      module: new URL('tasks.js', fixtures),
      maxThreads: 1,
    })
    pools.push(pool)
    expect(pool.module.endsWith('/fixtures/tasks.ts')).toBe(true)
    // twice() calls double() from ./arithmetic.js, which exists only as arithmetic.ts
    await expect(pool.run('twice', [21])).resolves.toBe(42)
  })

  it('loads a plain JavaScript module, given as an absolute path', async () => {
    const pool = new WorkerPool({
      module: fileURLToPath(new URL('plain.mjs', fixtures)),
      maxThreads: 1,
    })
    pools.push(pool)
    await expect(pool.run('triple', [3])).resolves.toBe(9)
  })

  it('accepts a file: URL string', async () => {
    const pool = new WorkerPool({ module: new URL('plain.mjs', fixtures).href, maxThreads: 1 })
    pools.push(pool)
    await expect(pool.run('triple', [4])).resolves.toBe(12)
  })

  it('rejects a relative path, naming the option and the fix', () => {
    expect(() => new WorkerPool({ module: './tasks.js' })).toThrow(
      `module must be a URL or an absolute path, got "./tasks.js"; use new URL('./tasks.js', import.meta.url)`,
    )
  })

  it('rejects a URL that is not a file', () => {
    expect(() => new WorkerPool({ module: new URL('https://example.com/tasks.js') })).toThrow(
      'module must be a file: URL, got "https://example.com/tasks.js"',
    )
  })

  it('reports a missing module as WorkerStartupError, not at construction', async () => {
    const pool = new WorkerPool({ module: pathToFileURL(join(fileURLToPath(fixtures), 'nope.js')) })
    pools.push(pool)
    expect((await rejectionOf(pool.run('any', []))).name).toBe('WorkerStartupError')
  })
})

describe('loading TypeScript in a thread', () => {
  const tsModule = new URL('tasks.ts', fixtures).href
  const jsModule = new URL('plain.mjs', fixtures).href
  const embeddedEntry = 'data:text/javascript;base64,Ly8gdGhyZWFk'
  const tsEntry = 'file:///repo/packages/thread-offload/src/internal/worker-entry.ts'

  it('tells TypeScript files apart', () => {
    expect(isTypeScript(tsModule)).toBe(true)
    expect(isTypeScript('file:///a/b.mts')).toBe(true)
    expect(isTypeScript('file:///a/b.cts')).toBe(true)
    expect(isTypeScript(jsModule)).toBe(false)
  })

  it('leaves a JavaScript module alone: the parent execArgv is inherited', () => {
    expect(threadLoading(jsModule, embeddedEntry, undefined)).toEqual({
      execArgv: undefined,
      derived: false,
      loader: undefined,
    })
    expect(threadLoading(jsModule, embeddedEntry, ['--enable-source-maps']).execArgv).toEqual([
      '--enable-source-maps',
    ])
  })

  it('has the thread import tsx before a TypeScript module, without touching execArgv', () => {
    const loading = threadLoading(tsModule, embeddedEntry, ['--enable-source-maps'])
    expect(loading.execArgv).toEqual(['--enable-source-maps'])
    // A module that calls tsx's register() in the thread (tsx's own entry skips threads on Node 22.13).
    expect(loading.loader).toMatch(/^data:text\/javascript,/)
    expect(decodeURIComponent(loading.loader ?? '')).toMatch(
      /^data:text\/javascript,import\{register\}from"file:.*\/tsx\/dist\/esm\/api\/index\.mjs";register\(\)$/,
    )
  })

  it('does not load tsx twice where the inherited --import tsx works in threads', () => {
    const inheritedWorks = 'isInternalThread' in process.getBuiltinModule('node:worker_threads')
    const loader = threadLoading(tsModule, embeddedEntry, ['--import', 'tsx']).loader
    if (inheritedWorks) expect(loader).toBeUndefined()
    else expect(loader).toMatch(/^data:text\/javascript,/)
  })

  it('adds tsx and the source condition to execArgv when this package runs from its sources', () => {
    const loading = threadLoading(jsModule, tsEntry, [])
    expect(loading.execArgv).toContain('--conditions=@loopwork/source')
    expect(loading.execArgv).toContain('--import')
    expect(loading.derived).toBe(false)
    expect(threadLoading(jsModule, tsEntry, undefined).derived).toBe(true)
  })

  it('drops the flags a thread refuses from those inherited', () => {
    const error = new Error(
      'Initiated Worker with invalid execArgv flags: --expose-gc, --max-old-space-size=100',
    )
    expect(
      withoutRefusedFlags(['--expose-gc', '--no-warnings', '--max-old-space-size=100'], error),
    ).toEqual(['--no-warnings'])
  })

  it('starts threads when the parent has flags a thread refuses', async () => {
    const script = fileURLToPath(new URL('idle-process.ts', fixtures))
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=512', '--import', 'tsx', script, 'idle'],
      { timeout: 15_000 },
    )
    expect(stdout.trim()).toBe('result 5')
  })

  it('lets a given execArgv reach the thread', async () => {
    const pool = new WorkerPool({
      module: new URL('plain.mjs', fixtures),
      maxThreads: 1,
      execArgv: ['--no-warnings'],
    })
    pools.push(pool)
    await expect(pool.run('threadExecArgv', [])).resolves.toContain('--no-warnings')
  })
})
