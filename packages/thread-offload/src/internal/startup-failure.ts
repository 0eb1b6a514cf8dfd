import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Where the README explains how to keep a task module a file of its own in a bundled server. */
const BUNDLING_ADVICE = 'see "Bundling" in the @loopwork/thread-offload README'

/** Explanations already given, per cause: every call of a failed pool gets one error. */
const explained = new WeakMap<object, string>()

/**
 * Why a task module failed to load in a thread, in words that say what to do. A file that is not
 * there, or an import of it that cannot be found, is nearly always a bundled server whose bundler
 * did not emit the task module as a file of its own (or copied it without what it imports), so the
 * message says so and names the path the pool looked at.
 */
export function explainStartupFailure(module: string, cause: unknown): string {
  const known = typeof cause === 'object' && cause !== null ? explained.get(cause) : undefined
  if (known !== undefined) return known
  const explanation = explanationOf(module, cause)
  if (typeof cause === 'object' && cause !== null) explained.set(cause, explanation)
  return explanation
}

function explanationOf(module: string, cause: unknown): string {
  const path = pathOf(module)
  if (path !== undefined && !existsSync(path)) {
    return `The task module ${path} does not exist, so no worker thread can load it. If the server is bundled, the bundler did not emit the task module as a file: build it as an entry of its own, with a fixed name, next to the server's bundle, or point the module option at where it is deployed (${BUNDLING_ADVICE})`
  }
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  const where = path ?? module
  if ((cause as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND') {
    return `The task module ${where} failed to load in a worker thread${reason}. If the server is bundled, the task module was copied without the files it imports: build it as an entry of its own, so that the bundler puts what it imports into it (${BUNDLING_ADVICE})`
  }
  return `The task module ${where} failed to load in a worker thread${reason}`
}

function pathOf(module: string): string | undefined {
  try {
    return fileURLToPath(module)
  } catch {
    return undefined
  }
}
