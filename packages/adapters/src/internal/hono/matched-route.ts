import type { Context } from 'hono'
import { matchedRoutes } from 'hono/route'

/**
 * The template of the route whose handler answered, or `undefined` when only middleware matched
 * (Hono's not-found). After `next()` the router leaves `routeIndex` on the last route it
 * dispatched; a middleware there (registered with `use`, taking `next`) means no handler matched.
 */
export function handlerRouteOf(context: Context): string | undefined {
  const route = matchedRoutes(context)[context.req.routeIndex]
  if (route === undefined) return undefined
  const isMiddleware = route.method === 'ALL' && route.handler.length >= 2
  return isMiddleware ? undefined : route.path
}
