import type { ServerResponse } from 'node:http'
import type { Context } from 'hono'
import type { NodeResponseBindings } from '../../hono/types.js'

/** The Node response behind a Hono request, or `undefined` off Node. */
export function nodeResponseOf(context: Context): ServerResponse | undefined {
  const outgoing = (context.env as NodeResponseBindings | undefined)?.outgoing
  return typeof outgoing?.once === 'function' ? outgoing : undefined
}

/**
 * The runtime's `waitUntil` (Cloudflare Workers and others that provide one), or `undefined`:
 * `c.executionCtx` throws where the runtime supplies none, as on Node.
 */
export function waitUntilOf(context: Context): ((work: Promise<unknown>) => void) | undefined {
  try {
    const executionContext = context.executionCtx
    if (typeof executionContext?.waitUntil !== 'function') return undefined
    return (work) => executionContext.waitUntil(work)
  } catch {
    return undefined
  }
}

/** The status Hono answers with for a request whose client left while it waited. */
export function clientGoneResponse(): Response {
  return new Response(null, { status: 499 })
}
