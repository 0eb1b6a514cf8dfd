import { setTimeout as sleep } from 'node:timers/promises'
import type { WorkerPool } from '@loopwork/thread-offload'
import { sleepSync, spinCpu } from './cpu-work.js'

/** The worker module's type, for a WorkerPool whose `run` is checked against it. */
export type WorkTasks = typeof import('./work-tasks.js')

/** What every endpoint's work is sized by. */
export interface EndpointWork {
  /** The pool `/offloaded` runs its work in. */
  pool: WorkerPool<WorkTasks>
  /** CPU work per request, in iterations of `spinCpu` (calibrated to `workMs`). */
  iterations: number
  /** How long one request's work lasts, in milliseconds, for the endpoints that wait. */
  workMs: number
}

/** The four heavy endpoints, in the order the comparison runs them. */
export const heavyPaths = ['/async-io', '/blocking-inline', '/offloaded', '/blocked-async'] as const

/** One of {@link heavyPaths}. */
export type HeavyPath = (typeof heavyPaths)[number]

/** A framework-neutral handler: the JSON body the route answers with. */
export type EndpointHandler = () => Promise<Record<string, unknown>>

/**
 * The same work done four ways. Each framework's server only maps these to routes.
 *
 * - `/async-io`: awaits a timer for `workMs`: waiting on I/O, the event loop stays free.
 * - `/blocking-inline`: the CPU work on the event loop: every other request waits for it.
 * - `/offloaded`: the same CPU work in the WorkerPool: the event loop only sends and receives.
 * - `/blocked-async`: a synchronous sleep inside an `async` handler. `async` does not make blocking
 *   code non-blocking; this is the documented anti-pattern.
 */
export function createEndpoints(
  work: EndpointWork,
): Record<HeavyPath | '/health', EndpointHandler> {
  return {
    '/async-io': async () => {
      await sleep(work.workMs)
      return { waitedMs: work.workMs }
    },
    '/blocking-inline': async () => ({ result: spinCpu(work.iterations) }),
    '/offloaded': async () => ({ result: await work.pool.run('spin', [work.iterations]) }),
    '/blocked-async': async () => {
      sleepSync(work.workMs)
      return { sleptMs: work.workMs }
    },
    '/health': async () => ({ status: 'ok' }),
  }
}
