import { createServer } from 'node:http'
import express from 'express'
import type { EndpointHandler } from './endpoints.js'
import { type ListenAddress, type RunningServer, runningServer } from './listen-address.js'

/** Serves the endpoints with Express 5 (which passes a rejected handler promise to its error handler). */
export function serveWithExpress(
  endpoints: Record<string, EndpointHandler>,
  address: ListenAddress,
): Promise<RunningServer> {
  const app = express()
  for (const [path, handler] of Object.entries(endpoints)) {
    app.get(path, async (_request, response) => {
      response.json(await handler())
    })
  }
  return runningServer(createServer(app), address)
}
