import type { BackgroundTasks } from '@loopwork/background-tasks'
import type { FastifyPluginAsync } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { AfterResponseTasks } from '../internal/after-response/after-response-tasks.js'
import { pluginOptions } from '../internal/fastify-plugin-options.js'
import type { BackgroundTasksMiddlewareOptions } from '../types.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Work to run once this response has been sent (also when the client disconnected), added by
     * the `backgroundTasks` plugin of `@loopwork/adapters/fastify`.
     */
    backgroundTasks: BackgroundTasks
  }
}

const plugin: FastifyPluginAsync<BackgroundTasksMiddlewareOptions> = async (instance, options) => {
  const afterResponse = new AfterResponseTasks(pluginOptions(options))
  instance.decorateRequest('backgroundTasks', null as unknown as BackgroundTasks)
  instance.addHook('onRequest', (request, reply, next) => {
    const tasks = afterResponse.create()
    request.backgroundTasks = tasks
    // The raw response's `close` rather than `onResponse`: onResponse never runs for a client that
    // disconnected before the reply was sent, and its tasks must still run.
    afterResponse.runAfter(reply.raw, tasks)
    next()
  })
  if (afterResponse.ownsSupervisor) {
    // A supervisor this plugin made is this plugin's to drain; one you passed in is yours
    // (give it to the `shutdown` plugin's `resources`).
    instance.addHook('onClose', async () => {
      const report = await afterResponse.supervisor.drain()
      if (report.aborted.length > 0) {
        instance.log.warn({ aborted: report.aborted }, 'background tasks aborted at close')
      }
    })
  }
}

/**
 * Gives every request a typed `request.backgroundTasks` whose tasks run after the response has been
 * fully sent, and still run, errors reported, when the client disconnected. Registered with
 * fastify-plugin, so it applies to the context it is registered in and every child.
 *
 * @example
 * await app.register(backgroundTasks)
 * app.post('/signup', async (request, reply) => {
 *   request.backgroundTasks.add(sendWelcomeEmail, 'a@b.c')
 *   return reply.code(201).send({ ok: true })
 * })
 */
export const backgroundTasks = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@loopwork/adapters/background-tasks',
})
