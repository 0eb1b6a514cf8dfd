import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { pluginOptions } from '../internal/fastify-plugin-options.js'
import { queryOf, statusPageOf } from '../internal/status-page/status-page-of.js'
import type { FastifyStatusPageOptions } from './types.js'

/**
 * The live status page of `metrics` (event loop, blocked-loop reports, requests per route, every
 * tracked primitive, the process) under the plugin's `prefix`: the page, its event stream
 * (`./events`) and its JSON snapshot (`./snapshot`). Only loopback clients get in unless
 * `authorize(request)` lets others. Its routes are left out of the request metrics (Fastify runs
 * every hook on every route); add them to `loadShedding`'s `exempt` paths to keep the page served
 * while the server sheds load. `app.close()` ends its streams.
 *
 * @example await app.register(statusPage, { metrics, prefix: '/status' })
 */
export const statusPage: FastifyPluginAsync<FastifyStatusPageOptions> = async (
  instance,
  options,
) => {
  const page = statusPageOf('statusPage', pluginOptions(options))
  const prefix = instance.prefix
  page.excludeRoutes([prefix, `${prefix}/`, `${prefix}/events`, `${prefix}/snapshot`])
  const serve =
    (path: string) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      // The page writes the Node response itself, the stream for as long as the page is open.
      reply.hijack()
      try {
        await page.handleNode(request.raw, reply.raw, {
          path: path + queryOf(request.url),
          subject: request,
        })
      } catch (error) {
        request.log.error(error, 'status page: authorize() threw')
        if (!reply.raw.headersSent) reply.raw.writeHead(500).end()
      }
    }
  instance.get('/', serve('/'))
  instance.get('/events', serve('/events'))
  instance.get('/snapshot', serve('/snapshot'))
  // Before the server stops taking requests and waits for them: an open stream never ends itself.
  instance.addHook('preClose', async () => page.close())
}
