import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Server as NetServer } from 'node:net'
import * as option from '@loopwork/internal/options'
import type { ShutdownOptions, ShutdownReport, ShutdownResource } from '../../types.js'
import { serviceUnavailable } from '../admission/service-unavailable.js'
import { ConnectionDrain } from './connection-drain.js'
import { drainResources } from './drain-resources.js'
import { shutdownReport, shutdownSettings } from './shutdown-settings.js'

const shutdowns = new WeakMap<Server, Promise<ShutdownReport>>()

/**
 * Graceful shutdown of a Node HTTP server (Express's `app.listen()`, Hono's `serve()`): stops
 * accepting connections, closes the idle keep-alive ones, lets requests in flight finish, answers
 * requests that still arrive on busy connections with 503 and `connection: close` (never a reset),
 * then drains `resources` in order, all within `timeoutMs`. Calling it again returns the same
 * report. Never rejects.
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
    throw option.invalid(
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
  refuseNewRequests(server)
  const connections = new ConnectionDrain(server, deadline)
  return new Promise((resolve) => {
    const finish = () => {
      connections.stop()
      resolve(connections.closedAtDeadline)
    }
    if (server.listening) server.close(finish)
    else {
      server.closeAllConnections()
      finish()
    }
  })
}

/** The answer to a request that arrives once shutdown has begun. */
const SHUTTING_DOWN = serviceUnavailable('shutting-down', undefined)
const SHUTTING_DOWN_HEADERS = { ...SHUTTING_DOWN.headers, connection: 'close' }

/**
 * From now on, every request that starts (on a keep-alive connection that was busy when shutdown
 * began, or pipelined behind one) is answered 503 with `connection: close` and `Retry-After`
 * instead of reaching the app: its client learns that it was not processed and retries it
 * elsewhere, where a reset would leave it unsure whether a POST went through. The app's listeners
 * are taken off the server, so the requests already in flight are the last ones it handles.
 */
function refuseNewRequests(server: Server): void {
  for (const listener of server.listeners('request')) {
    server.off('request', listener as (...args: unknown[]) => void)
  }
  server.on('request', refuseRequest)
}

function refuseRequest(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(SHUTTING_DOWN.status, SHUTTING_DOWN_HEADERS).end(SHUTTING_DOWN.body)
}
