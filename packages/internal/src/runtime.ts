/**
 * Which JavaScript runtime the packages run on, detected once at load. The packages target Node;
 * on the others a few features are missing or only stubbed (worker threads on Cloudflare Workers,
 * `resourceLimits` on Bun, event-loop measures), and the primitives that rely on them refuse with
 * an `UnsupportedRuntimeError` instead of failing later in an obscure way.
 */
export type RuntimeKey = 'node' | 'bun' | 'deno' | 'workerd' | 'other'

/** The runtime `globalObject` belongs to, identified as Hono's `getRuntimeKey()` does. */
export function detectRuntime(globalObject: object = globalThis): RuntimeKey {
  const global = globalObject as {
    Bun?: unknown
    Deno?: unknown
    navigator?: { userAgent?: unknown }
    process?: { release?: { name?: unknown } }
  }
  if (global.Bun !== undefined) return 'bun'
  if (global.Deno !== undefined) return 'deno'
  if (global.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd'
  if (global.process?.release?.name === 'node') return 'node'
  return 'other'
}

/** The runtime these packages run on. */
export const currentRuntime: RuntimeKey = detectRuntime()

/** The runtime's name as users know it, for error messages. */
export function runtimeName(runtime: RuntimeKey): string {
  switch (runtime) {
    case 'node':
      return 'Node.js'
    case 'bun':
      return 'Bun'
    case 'deno':
      return 'Deno'
    case 'workerd':
      return 'Cloudflare Workers (workerd)'
    default:
      return 'this runtime'
  }
}

/**
 * Whether a timer outlives the request that started it. On Cloudflare Workers it does not: once a
 * request has answered (and its `waitUntil` work settled) its pending timers never fire, so state
 * kept between requests must not wait for a timer started by an earlier one.
 */
export function timersOutliveRequests(runtime: RuntimeKey = currentRuntime): boolean {
  return runtime !== 'workerd'
}
