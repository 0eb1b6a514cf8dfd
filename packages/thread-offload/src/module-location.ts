import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isAbsolute, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, wrongType } from './option-validation.js'

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
    if (module.protocol !== 'file:') {
      throw wrongType(`module must be a file: URL, got ${module.href}`)
    }
    return module
  }
  if (typeof module === 'string') {
    if (module.startsWith('file:')) return new URL(module)
    if (isAbsolute(module)) return pathToFileURL(module)
  }
  throw wrongType(
    `module must be a URL or an absolute path, got ${describe(module)}; use new URL('./tasks.js', import.meta.url)`,
  )
}

/** Whether a module URL names a TypeScript file. */
export function isTypeScript(href: string): boolean {
  return TYPESCRIPT_FILE.test(new URL(href).pathname)
}

/**
 * The `execArgv` of a thread. TypeScript in a thread (the task module, or this package's own
 * thread entry when it runs from source) needs a loader that maps `.js` specifiers to `.ts` files,
 * which Node's own type stripping does not do, and a thread does not inherit the loader of a
 * vitest worker. So when tsx can be found and is not loaded already, it is added; without tsx a
 * `.ts` module still loads through Node's type stripping if it imports other files by their `.ts`
 * names. `undefined` keeps Node's default: inherit the parent thread's `execArgv`.
 */
export function threadExecArgv(
  module: string,
  entry: string,
  execArgv: readonly string[] | undefined,
): string[] | undefined {
  const fromSource = isTypeScript(entry)
  if (!fromSource && !isTypeScript(module)) return execArgv && [...execArgv]
  const base = execArgv ?? process.execArgv
  const extra: string[] = []
  const tsx = hasLoader(base) ? undefined : locateTsx()
  if (tsx !== undefined) extra.push('--import', tsx)
  if (fromSource && !base.some((argument) => argument.includes('@loopwork/source'))) {
    // Running this package from its TypeScript sources (its own tests, or a workspace that
    // resolves @loopwork/* to sources): a thread resolves the same way.
    extra.push('--conditions=@loopwork/source')
  }
  if (extra.length === 0) return execArgv && [...execArgv]
  return [...base, ...extra]
}

function hasLoader(execArgv: readonly string[]): boolean {
  return execArgv.some((argument) => /(^|[/\\=])tsx([/\\]|$)|^tsx$/.test(argument))
}

let tsxLocation: string | null | undefined

/** tsx's loader as a `file:` URL, looked up next to this package and then from the working directory. */
function locateTsx(): string | undefined {
  if (tsxLocation === undefined) {
    tsxLocation = null
    for (const base of [import.meta.url, pathToFileURL(join(process.cwd(), 'index.js')).href]) {
      try {
        tsxLocation = pathToFileURL(createRequire(base).resolve('tsx')).href
        break
      } catch {
        // not installed there; try the next place
      }
    }
  }
  return tsxLocation ?? undefined
}
