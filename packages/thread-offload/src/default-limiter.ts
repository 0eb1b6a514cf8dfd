import { CapacityLimiter } from '@loopwork/limiter'

/** Tokens of the default thread limiter. */
export const DEFAULT_THREAD_TOKENS = 40

// Kept on globalThis under a registered symbol, so two copies of this package in one process
// (say, a dependency bundling its own) still share one limiter.
const key = Symbol.for('@loopwork/thread-offload.defaultThreadLimiter')
const registry = globalThis as { [key]?: CapacityLimiter }

/**
 * The process-wide `CapacityLimiter` (40 tokens, named `'default-thread-limiter'`) that every
 * `WorkerPool` and `toThread()` call uses unless given a `limiter`. It caps calls in flight across
 * all pools (running or queued for a thread); each pool's `maxThreads` caps its threads. Resize it
 * at runtime.
 *
 * @example
 * currentDefaultThreadLimiter().totalTokens = 100 // takes effect at once
 */
export function currentDefaultThreadLimiter(): CapacityLimiter {
  registry[key] ??= new CapacityLimiter({
    totalTokens: DEFAULT_THREAD_TOKENS,
    name: 'default-thread-limiter',
  })
  return registry[key]
}
