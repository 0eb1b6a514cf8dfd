import type { Metrics, StatusPageOptions } from '@loopwork/metrics'
import type { FastifyRequest } from 'fastify'
import type { ShutdownOptions, ShutdownReport } from '../types.js'

/** Options of the Fastify `shutdown` plugin. */
export interface FastifyShutdownOptions extends ShutdownOptions {
  /**
   * Receives what the shutdown did once `app.close()` has drained everything.
   *
   * @default logs a warning through `app.log` when anything was cut short, nothing otherwise
   * @example app.register(shutdown, { resources: [pool], onReport: (report) => console.log(report) })
   */
  readonly onReport?: ((report: ShutdownReport) => void) | undefined
}

/** Options of the Fastify `statusPage` plugin: the metrics package's options, `authorize` typed for Fastify. */
export interface FastifyStatusPageOptions extends StatusPageOptions<FastifyRequest> {
  /**
   * Whose status the page shows: requests, tracked primitives, blocked-loop reports.
   *
   * @example app.register(statusPage, { metrics, prefix: '/status' })
   */
  readonly metrics: Metrics
}
