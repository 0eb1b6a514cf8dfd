import { availableParallelism } from 'node:os'
import { basename } from 'node:path'
import type { ResourceLimits } from 'node:worker_threads'
import type { CapacityLimiter } from '@loopwork/limiter'
import { currentDefaultThreadLimiter } from './default-limiter.js'
import { resolveTaskModule } from './module-location.js'
import {
  assertCount,
  assertOptionalMilliseconds,
  describe,
  invalid,
  wrongType,
} from './option-validation.js'

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * The worker module whose exported functions are the tasks. Write it the way you write an import
   * specifier: `new URL('./tasks.js', import.meta.url)`. The same line works everywhere: under
   * vitest or tsx, where `tasks.js` does not exist yet, the pool loads `tasks.ts` (as TypeScript
   * maps `.js` specifiers to `.ts` files); compiled, it loads `dist/tasks.js`. An absolute path or a
   * `file:` URL string works too.
   *
   * @example new WorkerPool<typeof import('./tasks.js')>({ module: new URL('./tasks.js', import.meta.url) })
   */
  readonly module: URL | string

  /**
   * Threads kept alive even when idle. They start with the pool, so the first calls skip the
   * thread start-up (about 20 ms per thread).
   *
   * @default 0 (threads start on demand, as anyio's do)
   * @example new WorkerPool({ module, minThreads: 2 })
   */
  readonly minThreads?: number

  /**
   * The most threads the pool runs. JavaScript has no GIL: every thread runs on a core of its own,
   * so more threads than cores only share the same cores (and each costs memory, ~10 MB), which is
   * why the default differs from Python's 40 threads. Raise it for tasks that block without using
   * the CPU (a synchronous driver waiting on disk).
   *
   * @default os.availableParallelism()
   * @example new WorkerPool({ module, maxThreads: 8 })
   */
  readonly maxThreads?: number

  /**
   * How long a thread above `minThreads` may stay idle before it exits. anyio prunes threads idle
   * for 10 s; piscina's default of 0 makes threads exit and restart between bursts.
   * `Infinity` keeps them.
   *
   * @default 10_000
   * @example new WorkerPool({ module, idleTimeoutMs: 60_000 })
   */
  readonly idleTimeoutMs?: number

  /**
   * How many calls of this pool may wait (for a limiter token or for a thread) before further
   * calls are rejected at once with `PoolQueueFullError`. `0` means "run now or fail";
   * `Infinity` removes the bound.
   *
   * @default 10_000
   * @example new WorkerPool({ module, maxQueue: 100 })
   */
  readonly maxQueue?: number

  /**
   * Memory limits of each thread (`node:worker_threads` `resourceLimits`). A thread that exceeds
   * them dies: its call rejects with `WorkerCrashedError` and the thread is replaced.
   *
   * @default undefined (Node's defaults)
   * @example new WorkerPool({ module, resourceLimits: { maxOldGenerationSizeMb: 256 } })
   */
  readonly resourceLimits?: ResourceLimits

  /**
   * The limiter that caps this pool's calls in flight (running or queued for a thread). Each call
   * holds one token from the moment it is queued until it settles, so `borrowedTokens` is always
   * the number of calls in flight; resizing `totalTokens` takes effect at once.
   *
   * @default currentDefaultThreadLimiter() (process-wide, 40 tokens)
   * @example new WorkerPool({ module, limiter: new CapacityLimiter({ totalTokens: 8 }) })
   */
  readonly limiter?: CapacityLimiter

  /**
   * Node options of each thread. A TypeScript task module needs none: each thread imports tsx's
   * loader itself when tsx is installed and the parent has not loaded it (see the README).
   *
   * @default undefined (inherit the parent's `execArgv`)
   * @example new WorkerPool({ module, execArgv: ['--enable-source-maps'] })
   */
  readonly execArgv?: readonly string[]

  /**
   * A name for errors, events and metrics.
   *
   * @default the module's file name, e.g. `'tasks'`
   * @example new WorkerPool({ module, name: 'image-resize' })
   */
  readonly name?: string
}

/** The default `idleTimeoutMs`: anyio prunes threads idle for 10 s. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000
/** The default `maxQueue`, the same bound as the limiter's default `maxWaiting`. */
export const DEFAULT_MAX_QUEUE = 10_000

/** The options of a pool after validation, with the defaults filled in. */
export interface ResolvedPoolOptions {
  readonly module: string
  readonly name: string
  readonly minThreads: number
  readonly maxThreads: number
  readonly idleTimeoutMs: number
  readonly maxQueue: number
  readonly limiter: CapacityLimiter
  readonly resourceLimits: ResourceLimits | undefined
  readonly execArgv: readonly string[] | undefined
}

/** Validates the options (errors name the option, the value and what is allowed) and fills in the defaults. */
export function resolveWorkerPoolOptions(options: WorkerPoolOptions): ResolvedPoolOptions {
  if (options === null || typeof options !== 'object') {
    throw wrongType(`options must be an object with a module, got ${describe(options)}`)
  }
  const module = resolveTaskModule(options.module)
  const maxThreads = assertCount(
    'maxThreads',
    options.maxThreads ?? availableParallelism(),
    1,
    false,
  )
  const minThreads = assertCount('minThreads', options.minThreads ?? 0, 0, false)
  if (minThreads > maxThreads) {
    throw invalid(
      minThreads,
      `minThreads must not exceed maxThreads (${maxThreads}), got ${minThreads}`,
    )
  }
  const limiter = options.limiter ?? currentDefaultThreadLimiter()
  if (typeof limiter?.tryAcquire !== 'function') {
    throw wrongType(`limiter must be a CapacityLimiter, got ${describe(options.limiter)}`)
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw wrongType(`name must be a string, got ${describe(options.name)}`)
  }
  if (options.execArgv !== undefined && !Array.isArray(options.execArgv)) {
    throw wrongType(`execArgv must be an array of strings, got ${describe(options.execArgv)}`)
  }
  return {
    module,
    name: options.name ?? basename(new URL(module).pathname).replace(/\.[^.]*$/, ''),
    minThreads,
    maxThreads,
    idleTimeoutMs: assertOptionalMilliseconds(
      'idleTimeoutMs',
      options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      true,
    )!,
    maxQueue: assertCount('maxQueue', options.maxQueue ?? DEFAULT_MAX_QUEUE, 0, true),
    limiter,
    resourceLimits: options.resourceLimits,
    execArgv: options.execArgv,
  }
}
