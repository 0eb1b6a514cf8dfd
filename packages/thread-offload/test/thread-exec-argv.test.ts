import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { threadLoading } from '../src/internal/module-location.js'
import { withoutEntryFlags, withoutRefusedFlags } from '../src/internal/thread-exec-argv.js'

const packageRoot = fileURLToPath(new URL('../', import.meta.url))
const sourceIndex = new URL('../src/index.ts', import.meta.url).href
const plainModule = new URL('./fixtures/plain.mjs', import.meta.url).href

describe('flags of the entry point', () => {
  it.each([
    [['--input-type=module', '-e', 'code()'], []],
    [['--input-type', 'commonjs'], []],
    [['--eval=code()', '--no-warnings'], ['--no-warnings']],
    [['-p', 'process.execArgv'], []],
    [['-pe', 'process.execArgv'], []],
    [['--print', '-1'], []],
    [['-c'], []],
    [['-i', '--enable-source-maps'], ['--enable-source-maps']],
    [['--test', '--test-reporter', 'spec', '--test-only'], []],
    [['--test-name-pattern=add', '--test-concurrency=1'], []],
    [['--watch', '--watch-path', '/src', '--watch-preserve-output'], []],
    [['--run', 'build'], []],
    [['--entry-url'], []],
  ])('are left out of %j', (execArgv, kept) => {
    expect(withoutEntryFlags(execArgv)).toEqual(kept)
  })

  it('keep loaders, conditions and every other flag, in their order', () => {
    const execArgv = [
      '--import',
      'tsx',
      '--input-type=module',
      '--conditions=development',
      '-r',
      './setup.cjs',
      '--loader',
      './loader.mjs',
      '-e',
      'main()',
      '--experimental-test-module-mocks',
      '--enable-source-maps',
    ]
    expect(withoutEntryFlags(execArgv)).toEqual([
      '--import',
      'tsx',
      '--conditions=development',
      '-r',
      './setup.cjs',
      '--loader',
      './loader.mjs',
      '--experimental-test-module-mocks',
      '--enable-source-maps',
    ])
  })

  it('returns the flags themselves when none has to go', () => {
    const execArgv = ['--no-warnings']
    expect(withoutEntryFlags(execArgv)).toBe(execArgv)
  })

  it('give a thread the parent flags without them, built anew, instead of inheriting', () => {
    const parent = process.execArgv
    const embeddedEntry = 'data:text/javascript;base64,Ly8gdGhyZWFk'
    try {
      process.execArgv = ['--input-type=module', '-e', 'main()', '--no-warnings']
      expect(threadLoading(plainModule, embeddedEntry, undefined)).toEqual({
        execArgv: ['--no-warnings'],
        derived: true,
        loader: undefined,
      })
      expect(
        threadLoading(plainModule, embeddedEntry, ['-e', 'x', '--trace-warnings']).execArgv,
      ).toEqual(['--trace-warnings'])
    } finally {
      process.execArgv = parent
    }
  })
})

describe('flags a thread refuses', () => {
  it('are dropped with the value given apart from them', () => {
    const error = new Error('Initiated Worker with invalid execArgv flags: --title, --expose-gc')
    expect(
      withoutRefusedFlags(['--title', 'server', '--expose-gc', '--no-warnings'], error),
    ).toEqual(['--no-warnings'])
  })
})

describe('a process started with node --input-type=module -e', () => {
  it('starts threads and runs a task (the threads do not get the entry flags)', async () => {
    const script = [
      `const { WorkerPool } = await import(${JSON.stringify(sourceIndex)})`,
      `const pool = new WorkerPool({ module: ${JSON.stringify(plainModule)}, maxThreads: 1 })`,
      `console.log('result ' + (await pool.run('triple', [7])))`,
      `console.log(JSON.stringify(await pool.run('threadExecArgv', [])))`,
      'await pool.close()',
    ].join('\n')
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=@loopwork/source', '--input-type=module', '-e', script],
      { cwd: packageRoot, timeout: 20_000 },
    )
    const [result, threadFlags] = stdout.trim().split('\n')
    expect(result).toBe('result 21')
    const flags = JSON.parse(threadFlags!) as string[]
    // The entry flags are gone; the loader flags stay.
    expect(flags).not.toContain('--input-type=module')
    expect(flags).not.toContain('-e')
    expect(flags.slice(0, 3)).toEqual(['--import', 'tsx', '--conditions=@loopwork/source'])
    // Where an inherited --import tsx does not reach threads (Node before 22.14), the thread also
    // imports a module that registers tsx itself.
    const inheritedWorks = 'isInternalThread' in process.getBuiltinModule('node:worker_threads')
    expect(flags.length).toBe(inheritedWorks ? 3 : 5)
  })
})
