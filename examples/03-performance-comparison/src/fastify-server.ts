import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import type { EndpointHandler } from './endpoints.js'
import type { ListenAddress, RunningServer } from './listen-address.js'

/** Serves the endpoints with Fastify 5. */
export async function serveWithFastify(
  endpoints: Record<string, EndpointHandler>,
  address: ListenAddress,
): Promise<RunningServer> {
  const app = Fastify({ logger: false })
  for (const [path, handler] of Object.entries(endpoints)) app.get(path, handler)
  await app.listen({ host: address.host, port: address.port })
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() }
}
