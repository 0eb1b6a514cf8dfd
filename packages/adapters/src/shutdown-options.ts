import type { ResourceReport, ShutdownResource } from './drain-resources.js'
import {
  assertOptionalMilliseconds,
  assertOptionsObject,
  describe,
  invalid,
} from './option-validation.js'

/** Options of `shutdown()` (Express, Hono) and the `shutdown` plugin (Fastify). */
export interface ShutdownOptions {
  /**
   * The whole budget: in-flight requests, then every resource, must be done within it. Connections
   * still open at the deadline are closed; resources still busy are aborted and reported.
   *
   * @default 10_000
   * @example await shutdown(server, { timeoutMs: 25_000 }) // under Kubernetes' 30 s grace period
   */
  readonly timeoutMs?: number | undefined

  /**
   * What to drain once no request runs any more, in order: background-task supervisors, task
   * queues, worker pools, overload guards, caches... Put what produces work before what runs it.
   *
   * @default []
   * @example await shutdown(server, { resources: [tasks.supervisor, emailQueue, pool] })
   */
  readonly resources?: readonly ShutdownResource[] | undefined
}

/** What `shutdown()` (Express, Hono) and the `shutdown` plugin (Fastify) did. */
export interface ShutdownReport {
  /** Whether anything was cut short by the deadline (connections closed or work aborted). */
  readonly timedOut: boolean
  /** Connections that still had a request in flight at the deadline and were closed. */
  readonly closedConnections: number
  /** One entry per resource, in the order they were drained. */
  readonly resources: readonly ResourceReport[]
}

/** The default budget of a shutdown. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

/** Checks shutdown options and fills in the defaults. */
export function resolveShutdownOptions(options: ShutdownOptions): {
  timeoutMs: number
  resources: readonly ShutdownResource[]
} {
  assertOptionsObject('options', options)
  const timeoutMs =
    assertOptionalMilliseconds('timeoutMs', options.timeoutMs) ?? DEFAULT_SHUTDOWN_TIMEOUT_MS
  const resources = options.resources ?? []
  if (
    !Array.isArray(resources) ||
    resources.some((resource) => resource === null || typeof resource !== 'object')
  ) {
    throw invalid(resources, `resources must be an array of objects, got ${describe(resources)}`)
  }
  return { timeoutMs, resources }
}

/** The report of a shutdown: timed out when connections had to be closed or work was aborted. */
export function shutdownReport(
  closedConnections: number,
  resources: readonly ResourceReport[],
): ShutdownReport {
  return {
    timedOut: closedConnections > 0 || resources.some((report) => report.outcome === 'aborted'),
    closedConnections,
    resources,
  }
}
