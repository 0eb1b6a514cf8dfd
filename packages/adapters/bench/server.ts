// One benchmark server in its own process, so the load generator never shares its event loop:
// `node --import tsx bench/server.ts <express|fastify|hono> <bare|loopwork>`; reports its port over
// IPC, then its CPU usage whenever asked.
import type { AddressInfo } from 'node:net'
import { CapacityLimiter } from '@loopwork/limiter'
import { createMetrics } from '@loopwork/metrics'

type Framework = 'express' | 'fastify' | 'hono'
const framework = process.argv[2] as Framework
const withLoopwork = process.argv[3] === 'loopwork'
const payload = { hello: 'world' }

function loopwork() {
  return {
    metrics: createMetrics(),
    limiter: new CapacityLimiter({ totalTokens: 40, maxWaiting: 1000 }),
  }
}

async function express(): Promise<number> {
  const { default: createApp } = await import('express')
  const adapters = await import('@loopwork/adapters/express')
  const app = createApp()
  if (withLoopwork) {
    const { metrics, limiter } = loopwork()
    app.use(adapters.requestMetrics({ metrics }))
    app.use(adapters.backgroundTasks())
    app.use(adapters.concurrencyLimit({ limiter }))
  }
  app.get('/', (_request, response) => {
    response.json(payload)
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  return (server.address() as AddressInfo).port
}

async function fastify(): Promise<number> {
  const { default: Fastify } = await import('fastify')
  const adapters = await import('@loopwork/adapters/fastify')
  const app = Fastify()
  if (withLoopwork) {
    const { metrics, limiter } = loopwork()
    await app.register(adapters.requestMetrics, { metrics })
    await app.register(adapters.backgroundTasks)
    await app.register(adapters.concurrencyLimit, { limiter })
  }
  app.get('/', async () => payload)
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

async function hono(): Promise<number> {
  const { Hono } = await import('hono')
  const { serve } = await import('@hono/node-server')
  const adapters = await import('@loopwork/adapters/hono')
  const app = new Hono()
  if (withLoopwork) {
    const { metrics, limiter } = loopwork()
    app.use(adapters.requestMetrics({ metrics }))
    app.use(adapters.backgroundTasks())
    app.use(adapters.concurrencyLimit({ limiter }))
  }
  app.get('/', (context) => context.json(payload))
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(info.port),
    )
    process.once('disconnect', () => server.close())
  })
}

const port = await { express, fastify, hono }[framework]()
process.send!({ port })
// The parent asks for this process's CPU time around each run: CPU per request is the tax the
// middleware adds, and it is far less disturbed by other load on the machine than requests/s.
process.on('message', () => process.send!(process.cpuUsage()))
process.once('disconnect', () => process.exit(0))
