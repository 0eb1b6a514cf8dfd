import { createServer } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import type { EndpointHandler } from './endpoints.js'
import { type ListenAddress, type RunningServer, runningServer } from './listen-address.js'

/** Serves the endpoints with Hono 4 on Node's HTTP server (@hono/node-server). */
export function serveWithHono(
  endpoints: Record<string, EndpointHandler>,
  address: ListenAddress,
): Promise<RunningServer> {
  const app = new Hono()
  for (const [path, handler] of Object.entries(endpoints)) {
    app.get(path, async (context) => context.json(await handler()))
  }
  return runningServer(createServer(getRequestListener(app.fetch)), address)
}
