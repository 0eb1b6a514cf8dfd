import { CapacityLimiter } from '@loopwork/limiter'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defaultErrorLog } from '../../src/internal/error-log.js'
import { deferred } from '../support/deferred.js'
import { rawRequest, readBody, send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'
import type { RunningServer, TestReply } from './test-app.js'

describe.each(frameworks)('streaming on $name', (framework) => {
  const start = serversFor(framework)
  afterEach(() => {
    vi.restoreAllMocks()
  })

  /** A server whose one route, GET `path`, answers each request with a fresh `reply()`. */
  function serve(path: string, reply: () => TestReply): Promise<RunningServer> {
    return start({ routes: [{ method: 'GET', path, handle: reply }] })
  }

  it('streams an async iterable in order with the given status and headers', async () => {
    async function* lines() {
      for (let index = 0; index < 5; index++) yield `${JSON.stringify({ index })}\n`
      yield new TextEncoder().encode('{"end":true}\n')
    }
    const server = await serve('/export', () => ({
      stream: lines(),
      options: {
        status: 201,
        contentType: 'application/x-ndjson',
        headers: { 'x-export': 'yes' },
      },
    }))
    const response = await send(`${server.url}/export`)
    expect(response.status).toBe(201)
    expect(response.headers['content-type']).toBe('application/x-ndjson')
    expect(response.headers['x-export']).toBe('yes')
    expect(
      response.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([{ index: 0 }, { index: 1 }, { index: 2 }, { index: 3 }, { index: 4 }, { end: true }])
  })

  it('stops the generator with return() when the client goes away', async () => {
    const stopped = deferred()
    let produced = 0
    let signalAborted = false
    const server = await serve('/ticks', () => ({
      stream: async function* ({ signal }: { signal: AbortSignal }) {
        try {
          while (true) {
            produced++
            yield `tick ${produced}\n`
            await new Promise((resolve) => setImmediate(resolve))
          }
        } finally {
          signalAborted = signal.aborted
          stopped.resolve()
        }
      },
    }))
    const exchange = rawRequest(`${server.url}/ticks`)
    const response = await exchange.response
    await new Promise<void>((resolve) => response.once('data', () => resolve()))
    exchange.disconnect()
    await stopped.promise
    expect(signalAborted).toBe(true)
    const atStop = produced
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(produced).toBe(atStop)
  })

  it('pulls no further than the client reads (backpressure through drain)', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(97)
    const total = 400 // 100 MiB if nothing held the producer back
    let produced = 0
    const server = await serve('/big', () => ({
      stream: (function* () {
        for (let index = 0; index < total; index++) {
          produced++
          yield chunk
        }
      })(),
    }))
    const exchange = rawRequest(`${server.url}/big`)
    const response = await exchange.response
    response.pause()
    // Let the server fill the socket and the client's buffers, then check it waits.
    await vi.waitFor(() => expect(produced).toBeGreaterThan(0))
    await new Promise((resolve) => setTimeout(resolve, 200))
    const whilePaused = produced
    expect(whilePaused).toBeLessThan(total)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(produced).toBe(whilePaused)

    let received = 0
    response.on('data', (data: Buffer) => {
      received += data.length
    })
    response.resume()
    await new Promise((resolve) => response.once('end', resolve))
    expect(received).toBe(total * chunk.length)
    expect(produced).toBe(total)
  })

  it('answers 500 when the iterable fails before its first chunk, and reports the error', async () => {
    const errors: unknown[] = []
    const server = await serve('/broken', () => ({
      stream: (async function* () {
        yield* []
        throw new Error('database gone')
      })(),
      options: { onError: (error: unknown) => errors.push(error) },
    }))
    const response = await send(`${server.url}/broken`)
    expect(response.status).toBe(500)
    expect(JSON.parse(response.body)).toEqual({ error: 'Internal Server Error' })
    expect(response.body).not.toContain('database gone')
    expect((errors[0] as Error).message).toBe('database gone')
  })

  it('cuts the connection when the iterable fails mid-stream, and reports the error', async () => {
    const errors: unknown[] = []
    const server = await serve('/half', () => ({
      stream: (async function* () {
        yield 'first\n'
        await new Promise((resolve) => setTimeout(resolve, 10))
        throw new Error('disk gone')
      })(),
      options: { onError: (error: unknown) => errors.push(error) },
    }))
    const exchange = rawRequest(`${server.url}/half`)
    const response = await exchange.response
    expect(response.statusCode).toBe(200)
    await expect(readBody(response)).rejects.toThrow()
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect((errors[0] as Error).message).toBe('disk gone')
  })

  it('reports a chunk that is neither a string nor bytes', async () => {
    const errors: unknown[] = []
    const server = await serve('/objects', () => ({
      stream: [{ not: 'a chunk' }] as unknown as string[],
      options: { onError: (error: unknown) => errors.push(error) },
    }))
    const exchange = rawRequest(`${server.url}/objects`)
    await exchange.response.then(readBody).catch(() => undefined)
    await vi.waitFor(() => expect(errors).toHaveLength(1))
    expect(errors[0]).toMatchObject({
      name: 'StreamChunkError',
      code: 'LOOPWORK_STREAM_CHUNK',
    })
  })

  it('drops a reader that stops reading within drainTimeoutMs, stops the iterable and gives its token back', async () => {
    const limiter = new CapacityLimiter({ totalTokens: 1, maxWaiting: 10 })
    const stopped = deferred()
    let produced = 0
    const chunk = new Uint8Array(64 * 1024).fill(120)
    const server = await start({
      concurrencyLimit: { limiter, timeoutMs: 60_000 },
      routes: [
        {
          method: 'GET',
          path: '/export',
          handle: () => ({
            stream: (async function* () {
              try {
                while (true) {
                  produced++
                  yield chunk
                }
              } finally {
                stopped.resolve()
              }
            })(),
            options: { drainTimeoutMs: 100 },
          }),
        },
        { method: 'GET', path: '/search', handle: () => ({ json: { hits: [] } }) },
      ],
    })
    const reader = rawRequest(`${server.url}/export`)
    const response = await reader.response
    expect(response.statusCode).toBe(200)
    // A client that opens the stream and stops reading: it holds the only token.
    response.pause()
    await vi.waitFor(() => expect(produced).toBeGreaterThan(0))
    await stopped.promise
    await vi.waitFor(() => expect(limiter.borrowedTokens).toBe(0))
    // The server closed the connection: once the client reads again, its body ends incomplete.
    const complete = new Promise((resolve) =>
      response.once('close', () => resolve(response.complete)),
    )
    response.on('error', () => {})
    response.resume()
    expect(await complete).toBe(false)
    const search = await send(`${server.url}/search`)
    expect(search.status).toBe(200)
    expect(JSON.parse(search.body)).toEqual({ hits: [] })
    expect(limiter.stats()).toMatchObject({ rejected: 0, timedOut: 0 })
  })

  it('a client that leaves while the iterable produces its next chunk stops it, and nothing is reported', async () => {
    const errors: unknown[] = []
    const consoleErrors = vi.spyOn(console, 'error')
    const firstRead = deferred()
    const produceNext = deferred()
    const aborted = deferred()
    const stopped = deferred()
    let yieldedAfterLeaving = false
    const server = await serve('/feed', () => ({
      stream: async function* ({ signal }: { signal: AbortSignal }) {
        signal.addEventListener('abort', () => aborted.resolve())
        try {
          yield 'first\n'
          await produceNext.promise
          yieldedAfterLeaving = true
          yield 'second\n'
          yield 'third\n'
        } finally {
          stopped.resolve()
        }
      },
      options: { onError: (error: unknown) => errors.push(error) },
    }))
    const exchange = rawRequest(`${server.url}/feed`)
    const response = await exchange.response
    response.once('data', () => firstRead.resolve())
    await firstRead.promise
    exchange.disconnect()
    await aborted.promise
    // The chunk the iterable was producing when the client left comes after it left.
    produceNext.resolve()
    await stopped.promise
    await new Promise((resolve) => setImmediate(resolve))
    expect(yieldedAfterLeaving).toBe(true)
    expect(errors).toEqual([])
    expect(consoleErrors).not.toHaveBeenCalled()
  })

  it('logs identical failures of the default onError once, with a count at the end of the window', async () => {
    defaultErrorLog.flush()
    const lines: unknown[][] = []
    const consoleErrors = vi.spyOn(console, 'error').mockImplementation((...args) => {
      lines.push(args)
    })
    const failure = new Error(`export failed on ${framework.name}`)
    const server = await serve('/broken', () => ({
      stream: (async function* () {
        yield* []
        throw failure
      })(),
    }))
    for (let round = 0; round < 5; round++) {
      expect((await send(`${server.url}/broken`)).status).toBe(500)
    }
    if (framework.name === 'fastify') {
      // Fastify's default goes to the request's logger (silent in these tests), never to stderr.
      expect(consoleErrors).not.toHaveBeenCalled()
      defaultErrorLog.flush()
      return
    }
    expect(lines).toEqual([['[loopwork] streamed response failed:', failure]])
    defaultErrorLog.flush()
    expect(lines[1]).toEqual([
      `[loopwork] streamed response failed: (the same error 4 more times within 10 s: Error: export failed on ${framework.name})`,
    ])
  })
})
