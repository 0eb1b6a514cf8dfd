import type { Server, ServerResponse } from 'node:http'
import type { Server as NetServer } from 'node:net'
import { invalidOption } from '@loopwork/internal'
import type { ShutdownOptions, ShutdownReport, ShutdownResource } from '../../types.js'
import { ConnectionDrain } from './connection-drain.js'
import { drainResources } from './drain-resources.js'
import { shutdownReport, shutdownSettings } from './shutdown-settings.js'

const shutdowns = new WeakMap<Server, Promise<ShutdownReport>>()

/**
 * Graceful shutdown of a Node HTTP server (Express's `app.listen()`, Hono's `serve()`): stops
 * accepting connections, lets requests in flight finish (answering them with `connection: close`
 * so keep-alive clients do not hold the server open), then drains `resources` in order, all
 * within `timeoutMs`. Calling it again returns the same report. Never rejects.
 *
 * @example
 * process.once('SIGTERM', async () => {
 *   const report = await shutdown(server, { resources: [tasks.supervisor, pool] })
 *   if (report.timedOut) console.warn('shutdown cut work short', report)
 * })
 */
export function shutdownServer(
  server: NetServer,
  options?: ShutdownOptions,
): Promise<ShutdownReport> {
  const httpServer = asHttpServer(server)
  const { timeoutMs, resources } = shutdownSettings('shutdown() options', options)
  let running = shutdowns.get(httpServer)
  if (running === undefined) {
    running = run(httpServer, Date.now() + timeoutMs, resources)
    shutdowns.set(httpServer, running)
  }
  return running
}

/**
 * Accepts what `app.listen()` and `serve()` return (typed as a plain `net.Server` so Hono's
 * `ServerType` fits), but only HTTP/1 servers can be drained connection by connection.
 */
function asHttpServer(server: NetServer): Server {
  const candidate = server as Partial<Server> | null
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.close !== 'function' ||
    typeof candidate.closeIdleConnections !== 'function' ||
    typeof candidate.closeAllConnections !== 'function'
  ) {
    throw invalidOption(
      'shutdown() server',
      server,
      'a Node HTTP/1 server (node:http or node:https, as app.listen() and serve() return)',
    )
  }
  return server as Server
}

async function run(
  server: Server,
  deadline: number,
  resources: readonly ShutdownResource[],
): Promise<ShutdownReport> {
  const closedConnections = await closeServer(server, deadline)
  const reports = await drainResources(resources, deadline)
  return shutdownReport(closedConnections, reports)
}

/**
 * Stops accepting, waits for requests in flight, closes what is left at the deadline. Resolves with
 * how many connections had to be closed at the deadline.
 */
function closeServer(server: Server, deadline: number): Promise<number> {
  // Requests that still arrive on open keep-alive connections get their connection closed after them.
  const markClosing = (_request: unknown, response: ServerResponse) =>
    response.setHeader('connection', 'close')
  server.prependListener('request', markClosing)
  const connections = new ConnectionDrain(server, deadline)
  return new Promise((resolve) => {
    const finish = () => {
      connections.stop()
      server.off('request', markClosing)
      resolve(connections.closedAtDeadline)
    }
    if (server.listening) server.close(finish)
    else {
      server.closeAllConnections()
      finish()
    }
  })
}
