import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import commonjsModule from '@rollup/plugin-commonjs'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import { type BuildOptions, build as esbuild } from 'esbuild'
import { rollup } from 'rollup'
import { type Options as TsupOptions, build as tsup } from 'tsup'
import { build as vite } from 'vite'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import webpack, { type Configuration } from 'webpack'
import { runtimeBinary } from './runtimes/runtimes.js'
import { assertBuilt, linkPackages, root } from './support/workspace-packages.js'

// A server using WorkerPool and toThread (test/bundles/) is bundled the way an application is
// deployed, with the recipes of the thread-offload README (esbuild, tsup, Vite SSR, Rollup,
// webpack; ESM and CommonJS): everything, @loopwork/* included, the task module an entry of its
// own. Each bundle is then moved away from where it was built (a path baked in at build time would
// break) and run with node, on its own: no node_modules, no sources next to it.
const work = join(root, '.cache', `bundles-${process.pid}`)
const app = join(work, 'app')
const deployed = join(work, 'deployed')
const entries = { server: join(app, 'src', 'server.js'), tasks: join(app, 'src', 'tasks.js') }

// The README's recipe for CommonJS output from esbuild: import.meta.url from __filename.
const importMetaUrlFromFilename = {
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
}

// Its types describe a CommonJS module whose default export is the plugin; the ES build that an
// import loads exports the plugin itself.
const commonjs = commonjsModule as unknown as typeof commonjsModule.default

type Format = 'esm' | 'cjs'

/** Bundles the two entries with esbuild as the README shows, plus the format's own `recipe`. */
function runEsbuild(outdir: string, format: Format, recipe: BuildOptions = {}): Promise<unknown> {
  return esbuild({
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    format,
    logLevel: 'error',
    ...recipe,
  })
}

/** Bundles the two entries with tsup, @loopwork/* and all, plus the format's own `recipe`. */
function runTsup(outDir: string, format: Format, recipe: TsupOptions = {}): Promise<void> {
  return tsup({
    config: false,
    entry: entries,
    outDir,
    format,
    platform: 'node',
    target: 'node22',
    noExternal: [/.*/],
    silent: true,
    ...recipe,
  })
}

async function runRollup(outDir: string, format: Format): Promise<void> {
  const build = await rollup({
    input: entries,
    plugins: [nodeResolve({ exportConditions: ['node'] }), commonjs()],
    onwarn: (warning) => {
      throw new Error(`rollup: ${warning.message}`)
    },
  })
  await build.write({ dir: outDir, format, entryFileNames: '[name].js' })
  await build.close()
}

/**
 * Bundles the two entries with webpack into `path`, the task module as a library of its own of
 * `libraryType`, plus the format's own `recipe`; rejects on an error or a warning (a warning about
 * this package is a bug too).
 */
function runWebpack(
  path: string,
  libraryType: 'module' | 'commonjs2',
  recipe: Configuration,
): Promise<void> {
  const config: Configuration = {
    mode: 'production',
    target: 'node22',
    context: app,
    entry: {
      server: entries.server,
      tasks: { import: entries.tasks, library: { type: libraryType } },
    },
    ...recipe,
    output: { path, filename: '[name].js', ...recipe.output },
  }
  return new Promise((resolve, reject) => {
    webpack(config, (error, stats) => {
      if (error) reject(error)
      else if (stats?.hasErrors() || stats?.hasWarnings()) {
        reject(new Error(stats.toString({ all: false, errors: true, warnings: true })))
      } else resolve()
    })
  })
}

interface Bundle {
  name: string
  format: Format
  build(outDir: string): Promise<unknown>
}

const bundles: Bundle[] = [
  { name: 'esbuild, ESM', format: 'esm', build: (outdir) => runEsbuild(outdir, 'esm') },
  {
    name: 'esbuild, CommonJS',
    format: 'cjs',
    build: (outdir) => runEsbuild(outdir, 'cjs', importMetaUrlFromFilename),
  },
  { name: 'tsup, ESM', format: 'esm', build: (outDir) => runTsup(outDir, 'esm') },
  {
    name: 'tsup, CommonJS',
    format: 'cjs',
    build: (outDir) =>
      runTsup(outDir, 'cjs', {
        // import.meta.url from __filename, in CommonJS output.
        shims: true,
        outExtension: () => ({ js: '.js' }),
      }),
  },
  {
    // A linked @loopwork/* (a workspace) is bundled by default in SSR, its own dependencies are
    // not: noExternal bundles them too, so the output runs without node_modules.
    name: 'Vite SSR, ESM',
    format: 'esm',
    build: (outDir) =>
      vite({
        root: app,
        configFile: false,
        logLevel: 'silent',
        ssr: { noExternal: true },
        build: {
          ssr: true,
          outDir,
          target: 'node22',
          rolldownOptions: {
            input: entries,
            output: { format: 'esm', entryFileNames: '[name].js' },
          },
        },
      }),
  },
  {
    name: 'Rollup, ESM',
    format: 'esm',
    build: (outDir) => runRollup(outDir, 'esm'),
  },
  {
    // Rollup turns import.meta.url into the output file's URL in CommonJS output.
    name: 'Rollup, CommonJS',
    format: 'cjs',
    build: (outDir) => runRollup(outDir, 'cjs'),
  },
  {
    name: 'webpack, ESM',
    format: 'esm',
    build: (path) =>
      runWebpack(path, 'module', {
        experiments: { outputModule: true },
        output: { module: true, chunkFormat: 'module' },
        // import.meta.url stays the running file's (not the source file's, baked in at build time),
        // and new URL('./tasks.js', import.meta.url) stays as written (not a copied asset).
        module: { parser: { javascript: { importMeta: false, url: false } } },
      }),
  },
  {
    name: 'webpack, CommonJS',
    format: 'cjs',
    build: (path) =>
      runWebpack(path, 'commonjs2', {
        module: { parser: { javascript: { url: false } } },
        plugins: [
          new webpack.DefinePlugin({
            'import.meta.url': "require('node:url').pathToFileURL(__filename).href",
          }),
        ],
      }),
  },
]

/** Where a bundle was built, and where it runs from. */
const buildDirectory = (bundle: Bundle) => join(app, 'out', slug(bundle.name))
const runDirectory = (bundle: Bundle) => join(deployed, slug(bundle.name))

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-')
}

beforeAll(async () => {
  const linked = ['thread-offload', 'limiter']
  for (const folder of linked) assertBuilt(folder, ['dist/index.js'])
  // The application: its sources, and @loopwork/* linked into its node_modules as a workspace or
  // an install links them.
  linkPackages(app, linked)
  cpSync(join(import.meta.dirname, 'bundles'), join(app, 'src'), { recursive: true })
  writeFileSync(join(app, 'package.json'), JSON.stringify({ type: 'module', private: true }))
  mkdirSync(deployed, { recursive: true })
  for (const bundle of bundles) {
    const outDir = buildDirectory(bundle)
    await bundle.build(outDir)
    // What the application's package.json says about its .js files.
    const type = bundle.format === 'esm' ? 'module' : 'commonjs'
    writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type }))
    renameSync(outDir, runDirectory(bundle))
  }
}, 60_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A server started from a bundle: its port, and how it ended. */
interface Running {
  port: number
  exited: Promise<{ code: number | null; stderr: string }>
}

/**
 * Runs `server.js` in the bundle's folder (with the Node running the suite, or `binary` and `args`)
 * and waits for the port it listens on. The server is killed when the test ends, however it ends
 * (a failed check, a server that never listens or never exits and so a timeout).
 */
function startServer(
  directory: string,
  binary = process.execPath,
  args: readonly string[] = ['server.js'],
): Promise<Running> {
  const child = spawn(binary, args, {
    cwd: directory,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  onTestFinished(() => {
    child.kill()
  })
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once('exit', (code) => resolve({ code, stderr }))
  })
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"port"'))
      if (line !== undefined) {
        resolve({ port: JSON.parse(line).port, exited })
      }
    })
    exited.then(({ code }) =>
      reject(new Error(`the server exited with code ${code} before listening:\n${stderr}`)),
    )
  })
}

async function get(port: number, path: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`)
  const text = await response.text()
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}\n${text}`)
  return JSON.parse(text).value
}

/**
 * Calls every route of a running bundled server and checks the answers, then closes it and checks
 * that it exits cleanly.
 */
async function exercise(server: Running, directory: string): Promise<void> {
  expect(await get(server.port, '/fib?n=20')).toBe(6765)
  expect(await get(server.port, '/slug?text=Hello%2C%20Bundled%20World')).toBe(
    'hello-bundled-world',
  )
  const where = (await get(server.port, '/thread')) as { isMainThread: boolean }
  expect(where.isMainThread).toBe(false)
  const forgotten = (await get(server.port, '/forgotten')) as Record<string, string>
  expect(forgotten.name).toBe('WorkerStartupError')
  expect(forgotten.code).toBe('LOOPWORK_WORKER_STARTUP')
  expect(forgotten.message).toContain(join(directory, 'forgotten-tasks.js'))
  expect(forgotten.message).toContain('If the server is bundled')
  expect(await get(server.port, '/close')).toBe('closed')
  // Closed pools and a closed server leave nothing holding the process.
  const { code, stderr } = await server.exited
  expect(stderr).toBe('')
  expect(code).toBe(0)
}

describe.each(bundles.map((bundle) => [bundle.name, bundle] as const))(
  'a server bundled by %s',
  (_name, bundle) => {
    it('is the two entries (and chunks they share), with no thread entry file of the library', () => {
      const files = readdirSync(runDirectory(bundle))
      expect(files).toContain('server.js')
      expect(files).toContain('tasks.js')
      expect(files.filter((file) => /worker|thread/i.test(file))).toEqual([])
    })

    it('runs its tasks in threads, answers on 127.0.0.1, names a task module it cannot find, and exits once closed', async () => {
      const directory = runDirectory(bundle)
      await exercise(await startServer(directory), directory)
    }, 30_000)
  },
)

describe.each([['Bun'], ['Deno']] as const)('the esbuild ESM bundle on %s', (runtime) => {
  it('runs its tasks in threads, answers on 127.0.0.1 and exits once closed', async () => {
    const directory = runDirectory(bundles[0]!)
    const args =
      runtime === 'Deno'
        ? ['run', '--no-prompt', `--allow-read=${directory}`, '--allow-net=127.0.0.1', 'server.js']
        : ['server.js']
    const server = await startServer(
      directory,
      runtimeBinary(runtime === 'Deno' ? 'deno' : 'bun'),
      args,
    )
    await exercise(server, directory)
  }, 30_000)
})
