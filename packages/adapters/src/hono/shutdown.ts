import type { Server as NetServer } from 'node:net'
import { shutdownServer } from '../internal/shutdown/server-shutdown.js'
import type { ShutdownOptions, ShutdownReport } from '../types.js'

/**
 * Graceful shutdown of the server `serve()` of @hono/node-server returned: stops accepting
 * connections, lets the requests in flight finish (answering them with `connection: close`), then
 * drains `resources` in order, all within `timeoutMs`. Calling it again returns the same report.
 * Never rejects.
 *
 * @example
 * const server = serve({ fetch: app.fetch, port: 3000 })
 * process.once('SIGTERM', async () => {
 *   const report = await shutdown(server, { resources: [tasks.supervisor, pool] })
 *   if (report.timedOut) console.warn('shutdown cut work short', report)
 * })
 */
export function shutdown(server: NetServer, options?: ShutdownOptions): Promise<ShutdownReport> {
  return shutdownServer(server, options)
}
