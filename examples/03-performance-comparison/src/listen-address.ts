import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Where a server listens. */
export interface ListenAddress {
  host: string
  port: number
}

/** A started server: the port it got and how to stop it. */
export interface RunningServer {
  port: number
  /** Stops accepting connections, closes idle keep-alive sockets and resolves once all are closed. */
  close(): Promise<void>
}

/** Waits for a Node HTTP server to listen (or fail to) and wraps it as a {@link RunningServer}. */
export function runningServer(server: Server, address: ListenAddress): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(address.port, address.host, () => {
      server.off('error', reject)
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((closed, failed) => {
            server.close((error) => (error ? failed(error) : closed()))
            server.closeIdleConnections()
          }),
      })
    })
  })
}
