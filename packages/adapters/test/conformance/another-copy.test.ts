import { isLoopworkError, QueueFullError } from '@loopwork/internal'
import { describe, expect, it } from 'vitest'
import {
  errorFromAnotherCopy,
  failingPoolOfAnotherCopy,
  saturatedLimiterOfAnotherCopy,
} from '../support/foreign-copy.js'
import { send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'

// npm often installs two copies of a package (two major ranges in one tree, a linked package...).
// The adapters must recognise the errors of any copy by code: a saturated primitive of another copy
// still gets its requests a 503 with Retry-After, never a 500 with the error thrown through.

it('the error of another copy is branded, but no object of the classes this copy holds', () => {
  const error = errorFromAnotherCopy('LOOPWORK_QUEUE_FULL')
  expect(isLoopworkError(error, 'LOOPWORK_QUEUE_FULL')).toBe(true)
  expect(Object.getPrototypeOf(error)).toBe(Error.prototype)
  expect(Object.prototype.isPrototypeOf.call(QueueFullError.prototype, error)).toBe(false)
})

describe.each(frameworks)('errors of another installed copy on $name', (framework) => {
  const start = serversFor(framework)

  // LOOPWORK_REDIS_UNAVAILABLE: a limit shared on Redis (failClosed) whose Redis is unreachable.
  it.each(['LOOPWORK_QUEUE_FULL', 'LOOPWORK_TIMEOUT', 'LOOPWORK_REDIS_UNAVAILABLE'])(
    'concurrency limit: a limiter that rejects with %s answers 503 + Retry-After',
    async (code) => {
      let handled = 0
      const server = await start({
        concurrencyLimit: { limiter: saturatedLimiterOfAnotherCopy(code), retryAfterSeconds: 3 },
        routes: [
          {
            method: 'GET',
            path: '/work',
            handle: () => {
              handled++
              return { json: { ok: true } }
            },
          },
        ],
      })
      const refused = await send(`${server.url}/work`)
      expect(refused.status).toBe(503)
      expect(refused.headers['retry-after']).toBe('3')
      expect(JSON.parse(refused.body)).toEqual({
        error: 'Service Unavailable',
        reason: 'concurrency-limit',
      })
      expect(handled).toBe(0)
    },
  )

  it('offload: a pool that rejects with LOOPWORK_QUEUE_FULL answers 503 + Retry-After', async () => {
    const errors: unknown[] = []
    const server = await start({
      routes: [
        {
          method: 'GET',
          path: '/work',
          offload: {
            pool: failingPoolOfAnotherCopy('LOOPWORK_QUEUE_FULL'),
            task: 'fib',
            mapArgs: () => [1],
            options: { retryAfterSeconds: 2, onError: (error) => errors.push(error) },
          },
        },
      ],
    })
    const refused = await send(`${server.url}/work`)
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('2')
    expect(JSON.parse(refused.body)).toEqual({
      error: 'Service Unavailable',
      reason: 'pool-saturated',
    })
    // Saturation is no task failure: nothing reaches onError.
    expect(errors).toEqual([])
  })

  it('offload: a pool that rejects with LOOPWORK_CLOSED answers 503 shutting-down', async () => {
    const server = await start({
      routes: [
        {
          method: 'GET',
          path: '/work',
          offload: {
            pool: failingPoolOfAnotherCopy('LOOPWORK_CLOSED'),
            task: 'fib',
            mapArgs: () => [1],
          },
        },
      ],
    })
    const refused = await send(`${server.url}/work`)
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('1')
    expect(JSON.parse(refused.body)).toMatchObject({ reason: 'shutting-down' })
  })
})
