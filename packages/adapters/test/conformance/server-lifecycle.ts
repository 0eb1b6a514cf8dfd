import { afterEach } from 'vitest'
import type { Framework, RunningServer, TestApp } from './test-app.js'

/** Starts servers for one test and closes them after it, whatever happened. */
export function serversFor(framework: Framework): (app: TestApp) => Promise<RunningServer> {
  const running: RunningServer[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()))
  })
  return async (app) => {
    const server = await framework.start(app)
    running.push(server)
    return server
  }
}
