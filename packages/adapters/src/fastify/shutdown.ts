import * as option from '@loopwork/internal/options'
import type { FastifyPluginAsync } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { pluginOptions } from '../internal/fastify-plugin-options.js'
import { ConnectionDrain } from '../internal/shutdown/connection-drain.js'
import { drainResources } from '../internal/shutdown/drain-resources.js'
import {
  SHUTDOWN_SCHEMA,
  shutdownReport,
  shutdownSettings,
} from '../internal/shutdown/shutdown-settings.js'
import type { FastifyShutdownOptions } from './types.js'

const SCHEMA = { ...SHUTDOWN_SCHEMA, onReport: option.function }

const plugin: FastifyPluginAsync<FastifyShutdownOptions> = async (instance, registered) => {
  const options = pluginOptions(registered)
  const { timeoutMs, resources } = shutdownSettings('shutdown plugin options', options, SCHEMA)
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
