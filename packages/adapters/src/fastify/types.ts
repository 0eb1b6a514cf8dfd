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
