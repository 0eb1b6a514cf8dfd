import type { Server } from 'node:http'
import { shutdownServer } from '../internal/shutdown/server-shutdown.js'
import type { ShutdownOptions, ShutdownReport } from '../types.js'

/**
 * Graceful shutdown of the server `app.listen()` returned: stops accepting connections, lets the
 * requests in flight finish (answering them with `connection: close`), then drains `resources` in
 * order, all within `timeoutMs`. Calling it again returns the same report. Never rejects.
 *
 * @example
 * const server = app.listen(3000)
 * process.once('SIGTERM', async () => {
 *   const report = await shutdown(server, { resources: [tasks.supervisor, pool] })
 *   if (report.timedOut) console.warn('shutdown cut work short', report)
 * })
 */
export function shutdown(server: Server, options?: ShutdownOptions): Promise<ShutdownReport> {
  return shutdownServer(server, options)
}
