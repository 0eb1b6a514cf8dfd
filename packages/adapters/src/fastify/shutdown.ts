import type { FastifyPluginAsync } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { ConnectionDrain } from '../connection-drain.js'
import { drainResources } from '../drain-resources.js'
import { assertOptionalFunction } from '../option-validation.js'
import {
  resolveShutdownOptions,
  type ShutdownOptions,
  type ShutdownReport,
  shutdownReport,
} from '../shutdown-options.js'

/** Options of the Fastify {@link shutdown} plugin. */
export interface FastifyShutdownOptions extends ShutdownOptions {
  /**
   * Receives what the shutdown did once `app.close()` has drained everything.
   *
   * @default logs a warning through `app.log` when anything was cut short, nothing otherwise
   * @example app.register(shutdown, { resources: [pool], onReport: (report) => metrics.record(report) })
   */
  readonly onReport?: ((report: ShutdownReport) => void) | undefined
}

const plugin: FastifyPluginAsync<FastifyShutdownOptions> = async (instance, options) => {
  const { timeoutMs, resources } = resolveShutdownOptions(options)
  assertOptionalFunction('onReport', options.onReport)
  let deadline = 0
  let connections: ConnectionDrain | undefined
  // preClose runs while requests are still in flight: the deadline starts there, as with the
  // Express/Hono helper, and keep-alive connections are swept so close() does not wait for them.
  instance.addHook('preClose', (next) => {
    deadline = Date.now() + timeoutMs
    connections = new ConnectionDrain(instance.server, deadline)
    next()
  })
  instance.addHook('onClose', async () => {
    connections?.stop()
    const report = shutdownReport(
      connections?.closedAtDeadline ?? 0,
      await drainResources(resources, deadline || Date.now() + timeoutMs),
    )
    if (options.onReport !== undefined) options.onReport(report)
    else if (report.timedOut) instance.log.warn({ shutdown: report }, 'shutdown cut work short')
  })
}

/**
 * Graceful shutdown through Fastify's own lifecycle: on `app.close()` Fastify stops accepting and
 * waits for requests in flight (answering late ones with 503); this plugin bounds that wait with
 * `timeoutMs`, then drains `resources` (supervisors, task queues, worker pools...) in order within
 * what is left of it, and reports what was aborted.
 *
 * @example
 * await app.register(shutdown, { timeoutMs: 10_000, resources: [supervisor, pool] })
 * process.once('SIGTERM', () => app.close())
 */
export const shutdown = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@loopwork/adapters/shutdown',
})
