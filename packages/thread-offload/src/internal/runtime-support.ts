import {
  currentRuntime,
  type RuntimeKey,
  runtimeName,
  UnsupportedRuntimeError,
} from '@loopwork/internal'

/**
 * Why a pool cannot work as asked on `runtime`, or `undefined` when it can. Checked when the pool
 * is created, so that no call fails later for a reason its caller cannot fix:
 * - Cloudflare Workers have no worker threads: `new Worker()` throws there.
 * - Bun ignores `resourceLimits`: a thread allocates past them unchecked.
 * - Deno enforces them only outside message handlers: a thread that reaches its heap limit while
 *   running a call neither exits nor reports an error, so the call would never settle.
 */
export function unsupportedRuntime(
  options: { readonly resourceLimits?: object | undefined },
  runtime: RuntimeKey = currentRuntime,
): UnsupportedRuntimeError | undefined {
  const name = runtimeName(runtime)
  if (runtime === 'workerd') {
    return new UnsupportedRuntimeError(
      `WorkerPool needs worker threads (node:worker_threads), which ${name} does not run; run CPU-bound work in the request itself, in a separate service, or on a runtime with threads (Node.js, Bun, Deno)`,
      runtime,
      'worker_threads',
    )
  }
  if (options.resourceLimits === undefined) return undefined
  if (runtime === 'bun') {
    return new UnsupportedRuntimeError(
      `WorkerPool option resourceLimits is not enforced on ${name}: its worker threads ignore heap limits, so a thread would allocate past them unchecked; leave resourceLimits out on ${name}`,
      runtime,
      'resourceLimits',
    )
  }
  if (runtime === 'deno') {
    return new UnsupportedRuntimeError(
      `WorkerPool option resourceLimits is not reliable on ${name}: a thread that reaches its heap limit while running a call neither exits nor reports an error, so the call would never settle; leave resourceLimits out on ${name}`,
      runtime,
      'resourceLimits',
    )
  }
  return undefined
}
