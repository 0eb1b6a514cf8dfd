import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'
import type {
  AnyTaskModule,
  RunOptions,
  TaskArgs,
  TaskModule,
  TaskName,
  TaskResult,
} from './types.js'
import { WorkerPool } from './worker-pool.js'

/** The shared default pools, one per module, keyed by the module as given and by its URL. */
const pools = new Map<string, WorkerPool<any>>()

/**
 * The shared default pool of a module (created on first use with the default options and the
 * default thread limiter): the pool `toThread()` uses, for its `stats()` and events.
 *
 * @example defaultPool(new URL('./tasks.js', import.meta.url)).on('taskEnd', record)
 */
export function defaultPool<M extends TaskModule = AnyTaskModule>(
  module: URL | string,
): WorkerPool<M> {
  const given = module instanceof URL ? module.href : module
  let pool = pools.get(given)
  if (pool === undefined) {
    // A path and its file: URL name one module, so they share a pool.
    const url = typeof given === 'string' && isAbsolute(given) ? pathToFileURL(given).href : given
    pool = pools.get(url) ?? new WorkerPool<M>({ module })
    pools.set(url, pool)
    pools.set(given, pool)
  }
  return pool
}

/**
 * Runs one exported function of `module` in a thread of the module's shared default pool, the
 * one-call form of `WorkerPool.run`. The pool is created on first
 * use and never holds the process open when idle.
 *
 * @example
 * const n = await toThread<typeof import('./tasks.js'), 'fib'>(
 *   new URL('./tasks.js', import.meta.url), 'fib', [30],
 * )
 */
export function toThread<M extends TaskModule = AnyTaskModule, K extends TaskName<M> = TaskName<M>>(
  module: URL | string,
  name: K,
  args: TaskArgs<M, K>,
  options?: RunOptions,
): Promise<TaskResult<M, K>> {
  let pool: WorkerPool<M>
  try {
    pool = defaultPool<M>(module)
  } catch (error) {
    return Promise.reject(error)
  }
  return pool.run(name, args, options)
}

/** Closes every shared default pool (letting their calls finish) and forgets them; the next `toThread()` starts afresh. */
export async function closeDefaultPools(): Promise<void> {
  const closing = [...new Set(pools.values())].map((pool) => pool.close())
  pools.clear()
  await Promise.all(closing)
}
