// The comparison's server process. It calibrates the CPU work, starts the WorkerPool and the chosen
// framework, and prints one JSON line once it listens. The harness runs it as a child process, so
// the load generator and the probe never share an event loop with the server they measure.
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { WorkerPool } from '@loopwork/thread-offload'
import { calibrateIterations } from './cpu-work.js'
import { createEndpoints, type EndpointHandler, type WorkTasks } from './endpoints.js'
import { serveWithExpress } from './express-server.js'
import { serveWithFastify } from './fastify-server.js'
import { type Framework, parseFramework } from './framework.js'
import { serveWithHono } from './hono-server.js'
import type { ListenAddress, RunningServer } from './listen-address.js'

/** What the server process prints once it listens. */
export interface ServerReady {
  event: 'listening'
  framework: Framework
  port: number
  iterations: number
  workMs: number
  threads: number
}

const servers: Record<
  Framework,
  (endpoints: Record<string, EndpointHandler>, address: ListenAddress) => Promise<RunningServer>
> = { fastify: serveWithFastify, express: serveWithExpress, hono: serveWithHono }

const { values } = parseArgs({
  options: {
    framework: { type: 'string' },
    'work-ms': { type: 'string', default: '10' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
})
const framework = parseFramework(values.framework)
const workMs = Number(values['work-ms'])
const iterations = calibrateIterations(workMs)
const pool = new WorkerPool<WorkTasks>({ module: new URL('./work-tasks.js', import.meta.url) })
// Start every thread before the first measurement, so no case pays for thread start-up.
const threads = availableParallelism()
await Promise.all(Array.from({ length: threads }, () => pool.run('spin', [iterations])))

const server = await servers[framework](createEndpoints({ pool, iterations, workMs }), {
  host: values.host,
  port: Number(values.port),
})
const ready: ServerReady = {
  event: 'listening',
  framework,
  port: server.port,
  iterations,
  workMs,
  threads: pool.stats().threads,
}
process.stdout.write(`${JSON.stringify(ready)}\n`)

process.once('SIGTERM', () => {
  void server
    .close()
    .then(() => pool.close())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`)
        process.exit(1)
      },
    )
})
