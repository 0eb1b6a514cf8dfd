import type { Server } from 'node:http'
import { startTimer } from '@loopwork/internal'

/**
 * How long a connection may stay idle during shutdown before the server closes it. A connection
 * busy when shutdown began finishes its response with keep-alive (its headers were set before), so
 * its client may send one more request on it: that request gets a clean 503 with
 * `connection: close`. A client that sends nothing is let go after this, not after the server's
 * own keep-alive timeout (5 s on Node, 72 s on Fastify).
 */
export const SHUTDOWN_KEEP_ALIVE_MS = 1_000

/**
 * How long the connections idle when shutdown begins stay open. A client may be sending its next
 * request on one at that very moment: closed at once, that request is reset and the client cannot
 * know whether it ran (a POST). Kept open a little, what arrives on them gets a clean 503 with
 * `connection: close`; then they are closed.
 */
export const SHUTDOWN_IDLE_GRACE_MS = 500

/**
 * Empties a closing server's connections within a deadline without resetting a request: the
 * connections idle when shutdown begins are closed after {@link SHUTDOWN_IDLE_GRACE_MS}; a busy one is
 * left to finish its response and then closes once idle for {@link SHUTDOWN_KEEP_ALIVE_MS} (closing
 * idle connections on a timer of our own would race with a client sending its next request on them,
 * which it would see reset). At the deadline whatever is left is closed, and the connections still
 * busy then are counted. An infinite deadline (`timeoutMs: Infinity`) never cuts.
 */
export class ConnectionDrain {
  #closedAtDeadline = 0
  readonly #server: Server
  readonly #deadline: ReturnType<typeof setTimeout> | undefined
  readonly #grace: ReturnType<typeof setTimeout> | undefined

  constructor(server: Server, deadline: number) {
    this.#server = server
    if (server.keepAliveTimeout === 0 || server.keepAliveTimeout > SHUTDOWN_KEEP_ALIVE_MS) {
      // Read by Node each time a response ends: applies to every connection that goes idle from now.
      server.keepAliveTimeout = SHUTDOWN_KEEP_ALIVE_MS
    }
    // Node's server.close() (and Fastify's close) closes idle connections at once, which resets a
    // request a client is sending on one right then: hold that off for the grace period.
    server.closeIdleConnections = () => {}
    this.#grace = startTimer(() => this.#closeIdle(), SHUTDOWN_IDLE_GRACE_MS)
    this.#deadline = startTimer(
      () => {
        this.#closeIdle()
        server.getConnections((_error, count) => {
          this.#closedAtDeadline = count
          server.closeAllConnections()
        })
      },
      Math.max(0, deadline - Date.now()),
    )
  }

  /** Connections that still had a request in flight at the deadline and were closed. */
  get closedAtDeadline(): number {
    return this.#closedAtDeadline
  }

  /** Stops waiting for the deadline; call it once the server has closed. */
  stop(): void {
    clearTimeout(this.#deadline)
    clearTimeout(this.#grace)
    this.#restore()
  }

  #closeIdle(): void {
    this.#restore()
    this.#server.closeIdleConnections()
  }

  /** Gives the server back its own closeIdleConnections (the prototype's). */
  #restore(): void {
    if (Object.hasOwn(this.#server, 'closeIdleConnections')) {
      delete (this.#server as { closeIdleConnections?: unknown }).closeIdleConnections
    }
  }
}
