import type { ResourceLimits, TransferListItem } from 'node:worker_threads'

/** Any function a worker module may export as a task. */
export type TaskFunction = (...args: any[]) => unknown

/** The shape of a worker module, as `typeof import('./tasks.js')` gives it. */
export type TaskModule = object

/** A module about which nothing is known: any name, any arguments, an `unknown` result. */
export type AnyTaskModule = Record<string, TaskFunction>

/** The names of the module's exported functions. */
export type TaskName<M extends TaskModule> = {
  [K in keyof M & string]: M[K] extends TaskFunction ? K : never
}[keyof M & string]

/** The argument list of task `K`, as a tuple. */
export type TaskArgs<M extends TaskModule, K extends TaskName<M>> = M[K] extends (
  ...args: infer A
) => unknown
  ? A
  : never

/** What a call of task `K` resolves to (a task's promise is awaited in its thread). */
export type TaskResult<M extends TaskModule, K extends TaskName<M>> = M[K] extends (
  ...args: any[]
) => infer R
  ? Awaited<R>
  : never

/** A token borrowed from a {@link ThreadLimiter}. */
export interface ThreadLimiterLease {
  /** Gives the token back. The pool calls it exactly once per token. */
  release(): void
}

/**
 * What a pool needs of its limiter. A `CapacityLimiter` of `@loopwork/limiter` has this shape,
 * whichever copy or version of it is installed, and so does any object that hands out tokens the
 * same way.
 */
export interface ThreadLimiter {
  /** How many tokens there are in all. */
  readonly totalTokens: number
  /** How many tokens are held right now. */
  readonly borrowedTokens: number
  /** Takes a token at once when one is free and nobody waits; `undefined` otherwise. */
  tryAcquire(): ThreadLimiterLease | undefined
  /**
   * Waits for a token in turn. Rejects when `signal` aborts (the pool has already rejected the call
   * with its own `AbortError` by then) or when the limiter refuses to let the call wait, whose error
   * the call rejects with as it is.
   */
  acquire(options?: { signal?: AbortSignal }): Promise<ThreadLimiterLease>
}

/** The default `idleTimeoutMs`: a thread above `minThreads` idle for 10 s exits. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000

/** The default `maxWaiting`, the same bound as the limiter's default `maxWaiting`. */
export const DEFAULT_MAX_WAITING = 10_000

/** Options of a `WorkerPool`. */
export interface WorkerPoolOptions {
  /**
   * The worker module whose exported functions are the tasks. Write it the way you write an import
   * specifier: `new URL('./tasks.js', import.meta.url)`. The same line works everywhere: under
   * vitest or tsx, where `tasks.js` does not exist yet, the pool loads `tasks.ts` (as TypeScript
   * maps `.js` specifiers to `.ts` files); compiled, it loads `dist/tasks.js`. An absolute path or a
   * `file:` URL string works too; in CommonJS, which has no `import.meta`, write
   * `pathToFileURL(join(__dirname, 'tasks.js'))`.
   *
   * Each thread loads this module from disk with `import()`, so a bundled server needs it as a file:
   * build it as an entry of its own, with a fixed name, next to the server's bundle (the README's
   * "Bundling" section has a recipe per bundler).
   *
   * @example new WorkerPool<typeof import('./tasks.js')>({ module: new URL('./tasks.js', import.meta.url) })
   */
  readonly module: URL | string

  /**
   * The pool's name, used in error messages, events and metrics.
   *
   * @default the module's file name without its extension, e.g. `'tasks'`
   * @example new WorkerPool({ module, name: 'image-resize' })
   */
  readonly name?: string | undefined

  /**
   * Threads kept alive even when idle. They start with the pool, so the first calls skip the
   * thread start-up (about 20 ms per thread).
   *
   * @default 0 (threads start on demand)
   * @example new WorkerPool({ module, minThreads: 2 })
   */
  readonly minThreads?: number | undefined

  /**
   * The most threads the pool runs. JavaScript has no global interpreter lock: every thread runs on
   * a core of its own, so more threads than cores only share the same cores (and each costs about
   * 10 MB). Raise it for tasks that block without using the CPU (a synchronous driver waiting on
   * the disk).
   *
   * @default os.availableParallelism()
   * @example new WorkerPool({ module, maxThreads: 8 })
   */
  readonly maxThreads?: number | undefined

  /**
   * How long a thread above `minThreads` may stay idle before it exits, in milliseconds, from 0 to
   * 2,147,483,647 (a timer cannot wait longer). `Infinity` keeps idle threads for good.
   *
   * @default 10_000
   * @example new WorkerPool({ module, idleTimeoutMs: 60_000 })
   */
  readonly idleTimeoutMs?: number | undefined

  /**
   * How many calls of this pool may wait before further calls are refused at once with
   * `QueueFullError` (`option: 'maxWaiting'`). A call waits while it waits for a limiter token,
   * while it is queued in the pool with no idle thread to take it, and while it is handed to a
   * thread behind the call that thread runs (the reserve that spares a busy thread a round trip
   * between two calls). The bound is exact: no call beyond it is ever accepted, whatever the
   * threads hold, so the slack over `maxWaiting` is 0. Only lowering `maxWaiting` on a busy pool
   * leaves more calls waiting for a while; it refuses new calls until they drop below it.
   *
   * `0` means "run now or fail": a call is accepted only when an idle (or not yet started) thread
   * takes it at once. `Infinity` removes the bound. Settable later through `pool.maxWaiting`.
   *
   * @default 10_000
   * @example new WorkerPool({ module, maxWaiting: 100 })
   */
  readonly maxWaiting?: number | undefined

  /**
   * Memory limits of each thread (`node:worker_threads` `resourceLimits`). A thread that exceeds
   * them dies: its call rejects with `WorkerCrashedError` and the thread is replaced.
   *
   * @default undefined (Node's defaults)
   * @example new WorkerPool({ module, resourceLimits: { maxOldGenerationSizeMb: 256 } })
   */
  readonly resourceLimits?: ResourceLimits | undefined

  /**
   * The limiter that caps this pool's calls in flight (running, or queued for a thread). Each call
   * holds one token from the moment it is queued until it settles, so `borrowedTokens` is always
   * the number of calls in flight; resizing `totalTokens` takes effect at once. Any
   * `CapacityLimiter` of `@loopwork/limiter` works, or anything with the {@link ThreadLimiter} shape.
   *
   * @default currentDefaultThreadLimiter() (process-wide, 40 tokens)
   * @example new WorkerPool({ module, limiter: new CapacityLimiter({ totalTokens: 8 }) })
   */
  readonly limiter?: ThreadLimiter | undefined

  /**
   * Node options of each thread. Flags that only mean something for the process's entry point
   * (`--input-type`, `-e`/`--eval`, `-p`/`--print`, `-c`/`--check`, `-i`, `--test` and the `--test-*`
   * options, `--watch` and the `--watch-*` options, `--run`, `--entry-url`) are left out, given or
   * inherited; loaders, `--import`, `--require`, `--conditions` and the like reach the thread. A
   * TypeScript task module needs none: each thread imports tsx's loader itself when tsx is
   * installed and the parent has not loaded it.
   *
   * @default undefined (the parent's `execArgv`, without the entry-point flags)
   * @example new WorkerPool({ module, execArgv: ['--enable-source-maps'] })
   */
  readonly execArgv?: readonly string[] | undefined
}

/** Options of one call, the third argument of `pool.run()` and the fourth of `toThread()`. */
export interface RunOptions {
  /**
   * Cancels the call. A call still waiting (for a limiter token or a thread) leaves the queue at
   * once. A call already running cannot be interrupted inside JavaScript, so its worker thread is
   * terminated and replaced (a few tens of milliseconds of start-up for the replacement); no other
   * call shares that thread meanwhile. Either way the call rejects with `AbortError`, whose `cause`
   * is the signal's reason.
   *
   * @default undefined (the call cannot be cancelled)
   * @example await pool.run('render', [page], { signal: request.signal })
   */
  readonly signal?: AbortSignal | undefined

  /**
   * The longest the call may run, in milliseconds from 0 to 2,147,483,647, counted from the moment a
   * thread starts it (time spent waiting does not count; bound waiting with the limiter,
   * `maxWaiting` or a `signal`). Past it the thread is terminated and replaced, as for `signal`,
   * and the call rejects with `TimeoutError`. `Infinity` means no limit, like leaving it out.
   *
   * @default undefined (no limit)
   * @example await pool.run('fib', [40], { timeoutMs: 1_000 })
   */
  readonly timeoutMs?: number | undefined

  /**
   * ArrayBuffers (or MessagePorts) inside the arguments to move to the thread instead of copying
   * them. The sender's buffer is detached: its `byteLength` becomes 0. If the thread dies before it
   * starts the call, the moved data is gone with it and the call rejects with `WorkerCrashedError`.
   *
   * @default undefined (everything is copied)
   * @example
   * const pixels = new Uint8Array(1 << 20)
   * await pool.run('blur', [pixels], { transfer: [pixels.buffer] })
   */
  readonly transfer?: readonly TransferListItem[] | undefined
}

/** Percentiles of recent durations, in milliseconds (all 0 before the first sample). */
export interface DurationSummary {
  /** The median. */
  readonly p50: number
  /** The 90th percentile. */
  readonly p90: number
  /** The 99th percentile. */
  readonly p99: number
  /** The longest. */
  readonly max: number
  /** The average. */
  readonly mean: number
}

/** A snapshot of a pool, as `pool.stats()` returns it. Times are in milliseconds. */
export interface WorkerPoolStats {
  /** The pool's name. */
  readonly name: string
  /** Threads alive (starting or ready). */
  readonly threads: number
  /** Threads holding at least one call. */
  readonly busy: number
  /** The pool's `minThreads`. */
  readonly minThreads: number
  /** The pool's `maxThreads`. */
  readonly maxThreads: number
  /**
   * Calls running in threads. A thread runs one call at a time, so this is one per busy thread; a
   * call it holds behind that one counts as `waiting`.
   */
  readonly running: number
  /**
   * Calls accepted that wait, the count `maxWaiting` bounds: those waiting for a limiter token
   * (`waitingForToken`), those queued in the pool beyond what idle threads take at once, and those
   * a thread holds behind the call it runs.
   */
  readonly waiting: number
  /** Calls waiting for a limiter token (part of `waiting`). */
  readonly waitingForToken: number
  /** Calls holding a token: running, or queued for a thread. Equals the tokens the pool holds. */
  readonly inFlight: number
  /** Calls that resolved. */
  readonly completed: number
  /** Calls that rejected after they were accepted. */
  readonly failed: number
  /** Threads that died on their own (not stopped by the pool). */
  readonly crashed: number
  /** Run time of recent calls (the last 1,024), measured in the thread. */
  readonly runTime: DurationSummary
  /** Wait from the call until a thread started it, for recent calls. */
  readonly waitTime: DurationSummary
  /** Share of the pool's capacity (maxThreads x its lifetime) spent running tasks, 0 to 1. */
  readonly utilization: number
}

/** A call was handed to a thread. */
export interface TaskStartEvent {
  /** The task's name. */
  readonly name: string
  /** Milliseconds from the call to its hand-over to a thread. */
  readonly waitMs: number
  /** The thread it was handed to. */
  readonly threadId: number
}

/** A call resolved. */
export interface TaskEndEvent {
  /** The task's name. */
  readonly name: string
  /** Milliseconds the task ran, measured in its thread. */
  readonly durationMs: number
  /** Milliseconds from the call until its thread started it. */
  readonly waitMs: number
  /** The thread that ran it. */
  readonly threadId: number
}

/** A call rejected, wherever it was: waiting, queued or running. */
export interface TaskErrorEvent {
  /** The task's name. */
  readonly name: string
  /** What the call rejects with (the same object the caller gets). */
  readonly error: unknown
  /** Milliseconds it ran (0 when it never started). */
  readonly durationMs: number
  /** Milliseconds it waited before it started or failed. */
  readonly waitMs: number
  /** The thread it ran on, when it got one. */
  readonly threadId: number | undefined
}

/** A thread was started. */
export interface ThreadSpawnEvent {
  /** The new thread's id. */
  readonly threadId: number
}

/** Why a thread ended. */
export type ThreadExitReason = 'idle' | 'crash' | 'abort' | 'timeout' | 'close' | 'startup-failure'

/** A thread ended. */
export interface ThreadExitEvent {
  /** The thread's id. */
  readonly threadId: number
  /** Its exit code. */
  readonly exitCode: number
  /** Why it ended. */
  readonly reason: ThreadExitReason
  /** What killed it, for `'crash'` and `'startup-failure'`. */
  readonly error: unknown
}

/**
 * Events of a pool (eventemitter3), for metrics and logs. Every listener receives one event
 * object; payloads are built only while someone listens, so they cost nothing otherwise.
 */
export interface WorkerPoolEvents {
  /** A call was handed to a thread. */
  taskStart: [event: TaskStartEvent]
  /** A call resolved. */
  taskEnd: [event: TaskEndEvent]
  /** A call rejected, wherever it was. */
  taskError: [event: TaskErrorEvent]
  /** A thread was started. */
  threadSpawn: [event: ThreadSpawnEvent]
  /** A thread ended. */
  threadExit: [event: ThreadExitEvent]
}
