import { createMetrics, UNMATCHED_ROUTE } from '@loopwork/metrics'
import { describe, expect, it, vi } from 'vitest'
import { deferred } from '../support/deferred.js'
import { rawRequest, send } from '../support/http-client.js'
import { parseSamples, sampleValue } from '../support/prometheus-text.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'
import type { TestRequest } from './test-app.js'

const COUNT = 'http_request_duration_seconds_count'

describe.each(frameworks)('request metrics on $name', (framework) => {
  const start = serversFor(framework)

  const userRoutes = [
    {
      method: 'GET' as const,
      path: '/users/:id',
      handle: (request: TestRequest) => ({ json: { id: request.params.id } }),
    },
    {
      method: 'POST' as const,
      path: '/users',
      handle: () => ({ status: 201, json: { created: true } }),
    },
  ]

  it('labels requests by method, matched route template and status, and serves /metrics', async () => {
    const metrics = createMetrics()
    const server = await start({ metrics, routes: userRoutes })
    await send(`${server.url}/users/42`)
    await send(`${server.url}/users/7?expand=true`)
    await send(`${server.url}/users`, { method: 'POST' })
    await send(`${server.url}/no/such/path`)
    await vi.waitFor(() => expect(metrics.inFlight).toBe(0))

    const scrape = await send(`${server.url}/metrics`)
    expect(scrape.status).toBe(200)
    expect(scrape.headers['content-type']).toBe(metrics.contentType)
    const samples = parseSamples(scrape.body)
    expect(
      sampleValue(samples, COUNT, { method: 'GET', route: '/users/:id', status_code: '200' }),
    ).toBe(2)
    expect(
      sampleValue(samples, COUNT, { method: 'POST', route: '/users', status_code: '201' }),
    ).toBe(1)
    expect(
      sampleValue(samples, COUNT, { method: 'GET', route: UNMATCHED_ROUTE, status_code: '404' }),
    ).toBe(1)
    // Raw paths never become labels.
    expect(scrape.body).not.toContain('/users/42')
    expect(scrape.body).not.toContain('/no/such/path')
  })

  it('counts requests in flight until their response is over', async () => {
    const metrics = createMetrics()
    const gate = deferred()
    const started = deferred()
    const server = await start({
      metrics,
      routes: [
        {
          method: 'GET',
          path: '/slow',
          async handle() {
            started.resolve()
            await gate.promise
            return { text: 'done' }
          },
        },
      ],
    })
    const slow = rawRequest(`${server.url}/slow`)
    await started.promise
    expect(metrics.inFlight).toBe(1)
    const scrape = parseSamples((await send(`${server.url}/metrics`)).body)
    // The slow request and the scrape itself.
    expect(sampleValue(scrape, 'http_requests_in_flight')).toBe(2)
    gate.resolve()
    await slow.response
    await vi.waitFor(() => expect(metrics.inFlight).toBe(0))
  })

  it('records a request whose client went away with status 499, and never leaks it in flight', async () => {
    const metrics = createMetrics()
    const started = deferred()
    const gate = deferred()
    const server = await start({
      metrics,
      routes: [
        {
          method: 'GET',
          path: '/abandoned/:id',
          async handle() {
            started.resolve()
            await gate.promise
            return { text: 'too late' }
          },
        },
      ],
    })
    const exchange = rawRequest(`${server.url}/abandoned/1`)
    await started.promise
    exchange.disconnect()
    // The request is over for the metrics as soon as the client left, before the handler is done.
    await vi.waitFor(() => expect(metrics.inFlight).toBe(0))
    gate.resolve()
    const samples = parseSamples(await metrics.render())
    expect(sampleValue(samples, COUNT, { route: '/abandoned/:id', status_code: '499' })).toBe(1)
  })
})
