import { existsSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { currentRuntime, type RuntimeKey } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { withoutEntryFlags } from './thread-exec-argv.js'

const TYPESCRIPT_SOURCE: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' }
const TYPESCRIPT_FILE = /\.[mc]?ts$/

/**
 * The task module as a `file:` URL string. It takes the form an import specifier takes, e.g.
 * `new URL('./tasks.js', import.meta.url)`: when that `.js` file does not exist but its TypeScript
 * source does (running under vitest or tsx), the source is used, the way TypeScript itself maps
 * `.js` specifiers to `.ts` files. Compiled to `dist/`, the same line finds `dist/tasks.js`.
 */
export function resolveTaskModule(module: unknown): string {
  const url = toFileUrl(module)
  const path = fileURLToPath(url)
  if (existsSync(path)) return url.href
  const extension = /\.[mc]?js$/.exec(path)?.[0]
  if (extension !== undefined) {
    const source = path.slice(0, -extension.length) + TYPESCRIPT_SOURCE[extension]
    if (existsSync(source)) return pathToFileURL(source).href
  }
  // A missing module is reported as WorkerStartupError by the first call, like any load failure.
  return url.href
}

function toFileUrl(module: unknown): URL {
  if (module instanceof URL) {
    if (module.protocol !== 'file:') throw option.invalid('module', module.href, 'a file: URL')
    return module
  }
  if (typeof module === 'string') {
    if (module.startsWith('file:')) return new URL(module)
    if (isAbsolute(module)) return pathToFileURL(module)
  }
  const error = option.invalid('module', module, 'a URL or an absolute path')
  error.message += `; use new URL('./tasks.js', import.meta.url)`
  throw error
}

/** Whether a module URL names a TypeScript file (a `data:` module, the built thread entry, never does). */
export function isTypeScript(href: string): boolean {
  return href.startsWith('file:') && TYPESCRIPT_FILE.test(new URL(href).pathname)
}

/** How a thread loads the task module: its Node options and a loader it imports first. */
export interface ThreadLoading {
  /** `undefined` keeps Node's default: inherit the parent thread's `execArgv` untouched. */
  readonly execArgv: string[] | undefined
  /** Whether `execArgv` was built from the parent's (which may hold flags a thread refuses). */
  readonly derived: boolean
  /** A module the thread imports before the task module (tsx's loader), as a `file:` URL. */
  readonly loader: string | undefined
}

/**
 * How a thread loads the task module, and with which flags.
 *
 * The flags are the given `execArgv`, or the parent's, without those that only mean something for
 * the process's entry point (see `withoutEntryFlags`). When nothing was given and nothing had to
 * go, the parent's are inherited untouched, which Node does without parsing them again, so the
 * thread refuses none of them.
 *
 * A `.ts` task module needs a loader that maps `.js` specifiers to `.ts` files, which Node's own
 * type stripping does not do, and a thread does not inherit the loader of a vitest worker. So when
 * tsx can be found and the parent has not loaded it, the thread imports tsx's loader before the
 * module (no flag is added: a thread rejects flags like `--max-old-space-size` that the parent may
 * have). Without tsx, a `.ts` module still loads through Node's type stripping if it imports other
 * files by their `.ts` names.
 *
 * When this package itself runs from its TypeScript sources (its own tests, or a workspace that
 * resolves `@loopwork/*` to sources), the thread entry is TypeScript too, so tsx and the
 * `@loopwork/source` condition go into the thread's `execArgv`.
 */
export function threadLoading(
  module: string,
  entry: string,
  execArgv: readonly string[] | undefined,
): ThreadLoading {
  const parent = execArgv ?? process.execArgv
  const base = withoutEntryFlags(parent)
  const inherit = execArgv === undefined && base === parent
  const derived = execArgv === undefined && !inherit
  const typeScriptEntry = isTypeScript(entry)
  const typeScriptModule = isTypeScript(module)
  const tsx =
    (typeScriptEntry || typeScriptModule) &&
    !(hasLoader(base) && inheritedTsxWorks()) &&
    !runsTypeScript(currentRuntime)
      ? locateTsx(typeScriptEntry ? entry : module)
      : undefined
  const extra: string[] = []
  if (typeScriptEntry) {
    if (tsx !== undefined) extra.push('--import', tsx)
    if (!base.some((argument) => argument.includes('@loopwork/source'))) {
      extra.push('--conditions=@loopwork/source')
    }
  }
  if (extra.length > 0) {
    return { execArgv: [...base, ...extra], derived: execArgv === undefined, loader: undefined }
  }
  return {
    execArgv: inherit ? undefined : [...base],
    derived,
    loader: typeScriptModule && !typeScriptEntry ? tsx : undefined,
  }
}

/**
 * Bun and Deno load TypeScript themselves, `.js` specifiers of `.ts` files included (Deno with
 * `--sloppy-imports`), and their threads use the same module loader: tsx would only be in the way
 * there (under Deno it asks for more permissions and fails to resolve some paths).
 */
function runsTypeScript(runtime: RuntimeKey): boolean {
  return runtime === 'bun' || runtime === 'deno'
}

/**
 * Whether a thread that inherits `--import tsx` gets tsx's loader. tsx's entry registers in a
 * thread only where Node tells its own internal threads apart (`isInternalThread`, Node 22.14 and
 * 23.7); before that it assumes threads share the main thread's hooks, which they do not.
 */
function inheritedTsxWorks(): boolean {
  return 'isInternalThread' in process.getBuiltinModule('node:worker_threads')
}

function hasLoader(execArgv: readonly string[]): boolean {
  return execArgv.some((argument) => /(^|[/\\=])tsx([/\\]|$)|^tsx$/.test(argument))
}

const tsxLocations = new Map<string, string | null>()

/**
 * A module that registers tsx's loader in the thread that imports it, looked up from the task
 * module (tsx is a dev dependency of the project that holds the TypeScript module) and then from
 * the working directory. Not from this package's own file: a bundle has none, and a strict
 * `node_modules` (pnpm) would not expose tsx there anyway.
 *
 * It calls tsx's `register()` itself rather than importing the `tsx` entry: that entry registers
 * only in the main thread on Node versions before 22.14 (where hooks were shared with workers), so a
 * thread that imports it on Node 22.13 still fails on every `.ts` file.
 */
function locateTsx(module: string): string | undefined {
  let location = tsxLocations.get(module)
  if (location === undefined) {
    // Not imported: webpack reads createRequire(...).resolve('tsx') in an application's bundle as
    // a dependency, and bundles tsx (or fails where it is not installed, or warns).
    const { createRequire } = process.getBuiltinModule('node:module')
    location = null
    for (const base of [module, pathToFileURL(join(process.cwd(), 'index.js')).href]) {
      try {
        // require() resolves the CommonJS build of the API; its ES module sits beside it.
        const api = pathToFileURL(createRequire(base).resolve('tsx/esm/api')).href.replace(
          /\.cjs$/,
          '.mjs',
        )
        const source = `import{register}from${JSON.stringify(api)};register()`
        location = `data:text/javascript,${encodeURIComponent(source)}`
        break
      } catch {
        // not installed there; try the next place
      }
    }
    tsxLocations.set(module, location)
  }
  return location ?? undefined
}
