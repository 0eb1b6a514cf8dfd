import {
  createMetrics,
  createOverloadGuard,
  type LoadProbe,
  type LoadSample,
} from '@loopwork/metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'

/** A probe the test sets by hand, so the guard's verdict is deterministic. */
function manualProbe(): LoadProbe & { sample: LoadSample } {
  return {
    sample: { eventLoopDelayMs: 1, eventLoopUtilization: 0.1, heapUsedBytes: 1, rssBytes: 1 },
    read() {
      return this.sample
    },
    close() {},
  }
}

describe.each(frameworks)('load shedding on $name', (framework) => {
  const start = serversFor(framework)
  const guards: { close(): void }[] = []
  afterEach(() => {
    for (const guard of guards.splice(0)) guard.close()
  })

  function overloadable(retryAfterSeconds = 3) {
    const probe = manualProbe()
    const guard = createOverloadGuard({ maxEventLoopDelayMs: 100, retryAfterSeconds, probe })
    guards.push(guard)
    const overload = () => {
      probe.sample = { ...probe.sample, eventLoopDelayMs: 500 }
      guard.sample()
    }
    return { guard, overload }
  }

  it('answers 503 with Retry-After before any handler runs, and keeps /metrics and /health served', async () => {
    const { guard, overload } = overloadable(3)
    let handled = 0
    const server = await start({
      metrics: createMetrics(),
      loadShedding: { guard },
      routes: [
        {
          method: 'GET',
          path: '/work',
          handle() {
            handled++
            return { json: { ok: true } }
          },
        },
      ],
    })
    expect((await send(`${server.url}/work`)).status).toBe(200)
    expect(handled).toBe(1)

    overload()
    const shed = await send(`${server.url}/work?x=1`)
    expect(shed.status).toBe(503)
    expect(shed.headers['retry-after']).toBe('3')
    expect(JSON.parse(shed.body)).toEqual({
      error: 'Service Unavailable',
      reason: 'overloaded',
      detail: 'eventLoopDelay',
    })
    expect(handled).toBe(1)
    expect((await send(`${server.url}/metrics`)).status).toBe(200)
    expect((await send(`${server.url}/health?verbose=1`)).status).toBe(200)
    expect(guard.stats().shed).toBeGreaterThanOrEqual(1)
  })

  it('takes its own exempt paths and Retry-After when given', async () => {
    const { guard, overload } = overloadable(10)
    const server = await start({
      loadShedding: { guard, exempt: ['/live'], retryAfterSeconds: 2 },
      routes: [
        { method: 'GET', path: '/live', handle: () => ({ text: 'alive' }) },
        { method: 'GET', path: '/work', handle: () => ({ text: 'worked' }) },
      ],
    })
    overload()
    expect((await send(`${server.url}/live`)).body).toBe('alive')
    const shed = await send(`${server.url}/work`)
    expect(shed.status).toBe(503)
    expect(shed.headers['retry-after']).toBe('2')
    // /health is no longer exempt: the list given replaces the default.
    expect((await send(`${server.url}/health`)).status).toBe(503)
  })

  it('rejects a guard without check() with an error naming the option', async () => {
    await expect(
      framework.start({ loadShedding: { guard: {} as never }, routes: [] }),
    ).rejects.toThrow(/guard must be an object with check\(\)/)
  })
})
