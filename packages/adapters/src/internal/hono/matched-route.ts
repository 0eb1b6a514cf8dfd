import type { Context } from 'hono'

// The routes come from the request (`c.req.matchedRoutes`, `c.req.routeIndex`), which every Hono 4
// has. `hono/route`, the helper Hono 4.8 added for the same lookup, is not imported: on Hono 4.0 to
// 4.7 that subpath does not exist, and importing the adapters would fail there.

/**
 * The template of the route whose handler answered, or `undefined` when only middleware matched
 * (Hono's not-found). After `next()` the router leaves `routeIndex` on the last route it
 * dispatched; a middleware there (registered with `use`, taking `next`) means no handler matched.
 */
export function handlerRouteOf(context: Context): string | undefined {
  const route = context.req.matchedRoutes[context.req.routeIndex]
  if (route === undefined) return undefined
  const isMiddleware = route.method === 'ALL' && route.handler.length >= 2
  return isMiddleware ? undefined : route.path
}

/** The template of the route now running (what `routePath(c)` of `hono/route` answers). */
export function runningRouteOf(context: Context): string {
  return context.req.matchedRoutes[context.req.routeIndex]?.path ?? ''
}
