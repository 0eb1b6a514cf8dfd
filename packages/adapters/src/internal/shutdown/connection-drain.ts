import type { Server } from 'node:http'
import { startInterval, startTimer } from '@loopwork/internal'

/** How often idle keep-alive connections are closed while requests finish. */
const IDLE_SWEEP_MS = 20

/**
 * Empties a closing server's connections within a deadline. `server.close()` closes the connections
 * idle at that moment only; a response in flight then leaves its keep-alive connection open after
 * it is sent, which would hold the server open for the whole keep-alive timeout. So idle
 * connections are swept every 20 ms, and at the deadline whatever is left is closed and counted.
 * An infinite deadline (`timeoutMs: Infinity`) sweeps until the server has closed, and never cuts.
 */
export class ConnectionDrain {
  #closedAtDeadline = 0
  readonly #sweep: ReturnType<typeof setInterval> | undefined
  readonly #deadline: ReturnType<typeof setTimeout> | undefined

  constructor(server: Server, deadline: number) {
    this.#sweep = startInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
    this.#deadline = startTimer(
      () => {
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

  /** Stops sweeping; call it once the server has closed. */
  stop(): void {
    clearInterval(this.#sweep)
    clearTimeout(this.#deadline)
  }
}
