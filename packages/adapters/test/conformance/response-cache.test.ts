import { TtlCache } from '@loopwork/ttl-cache'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type CachedResponse, responseCacheTag } from '../../src/index.js'
import { deferred } from '../support/deferred.js'
import { rawRequest, readBody, send } from '../support/http-client.js'
import { frameworks } from './frameworks.js'
import { serversFor } from './server-lifecycle.js'
import type { TestReply, TestRequest } from './test-app.js'

describe.each(frameworks)('response cache on $name', (framework) => {
  const start = serversFor(framework)
  const caches: TtlCache<string, CachedResponse>[] = []
  afterEach(() => {
    for (const cache of caches.splice(0)) cache.close()
  })

  function newCache(options: { ttlMs?: number; staleWhileRevalidateMs?: number } = {}) {
    const cache = new TtlCache<string, CachedResponse>({ max: 100, ttlMs: 60_000, ...options })
    caches.push(cache)
    return cache
  }

  /** A GET route that counts its calls and answers what `reply` says. */
  function countedRoute(
    path: string,
    reply: (request: TestRequest, call: number) => TestReply | Promise<TestReply>,
  ) {
    const calls = { count: 0 }
    return {
      calls,
      route: {
        method: 'GET' as const,
        path,
        handle: (request: TestRequest) => reply(request, ++calls.count),
      },
    }
  }

  it('answers MISS, then HIT from the cache, keyed by path and sorted query', async () => {
    const items = countedRoute('/items', (request, call) => ({
      json: { call, query: request.query },
      headers: { 'x-origin': 'handler' },
    }))
    const server = await start({ responseCache: { cache: newCache() }, routes: [items.route] })
    const first = await send(`${server.url}/items?b=2&a=1`)
    expect(first.status).toBe(200)
    expect(first.headers['x-cache']).toBe('MISS')
    const second = await send(`${server.url}/items?a=1&b=2`)
    expect(second.headers['x-cache']).toBe('HIT')
    expect(second.body).toBe(first.body)
    expect(second.headers['content-type']).toBe(first.headers['content-type'])
    expect(second.headers['x-origin']).toBe('handler')
    expect(items.calls.count).toBe(1)
    const other = await send(`${server.url}/items?a=2`)
    expect(other.headers['x-cache']).toBe('MISS')
    expect(items.calls.count).toBe(2)
  })

  it('drops every query string of a path with one tag invalidation', async () => {
    const items = countedRoute('/items/7', (_request, call) => ({ json: { call } }))
    const cache = newCache()
    const server = await start({ responseCache: { cache }, routes: [items.route] })
    await send(`${server.url}/items/7`)
    await send(`${server.url}/items/7?fields=name`)
    expect((await send(`${server.url}/items/7`)).headers['x-cache']).toBe('HIT')
    expect(cache.invalidateTag(responseCacheTag('/items/7?ignored=query'))).toBe(2)
    const after = await send(`${server.url}/items/7?fields=name`)
    expect(after.headers['x-cache']).toBe('MISS')
    expect(items.calls.count).toBe(3)
  })

  it('runs the handler once for concurrent misses (single flight)', async () => {
    const gate = deferred()
    const started = deferred()
    const slow = countedRoute('/slow', async (_request, call) => {
      started.resolve()
      await gate.promise
      return { json: { call } }
    })
    const cache = newCache()
    const server = await start({ responseCache: { cache }, routes: [slow.route] })
    const exchanges = [0, 1, 2, 3].map(() => rawRequest(`${server.url}/slow`))
    await started.promise
    await vi.waitFor(() => expect(cache.stats().misses).toBe(4))
    gate.resolve()
    const responses = await Promise.all(exchanges.map((exchange) => exchange.response))
    const bodies = await Promise.all(responses.map(readBody))
    expect(new Set(bodies)).toEqual(new Set([JSON.stringify({ call: 1 })]))
    expect(responses.map((response) => response.headers['x-cache'])).toEqual([
      'MISS',
      'MISS',
      'MISS',
      'MISS',
    ])
    expect(slow.calls.count).toBe(1)
    expect((await send(`${server.url}/slow`)).headers['x-cache']).toBe('HIT')
  })

  it('never stores no-store, private, Set-Cookie or non-200 responses', async () => {
    const routes = [
      countedRoute('/no-store', () => ({ json: {}, headers: { 'cache-control': 'no-store' } })),
      countedRoute('/private', () => ({
        json: {},
        headers: { 'cache-control': 'private, max-age=60' },
      })),
      countedRoute('/cookie', () => ({ json: {}, headers: { 'set-cookie': 'session=1' } })),
      countedRoute('/missing', () => ({ status: 404, json: { error: 'not found' } })),
    ]
    const server = await start({
      responseCache: { cache: newCache() },
      routes: routes.map((route) => route.route),
    })
    for (const path of ['/no-store', '/private', '/cookie', '/missing']) {
      for (let round = 0; round < 2; round++) {
        expect((await send(`${server.url}${path}`)).headers['x-cache']).toBe('MISS')
      }
    }
    expect(routes.map((route) => route.calls.count)).toEqual([2, 2, 2, 2])
  })

  it('bypasses the cache for requests with Cache-Control: no-store or no-cache, or credentials', async () => {
    const items = countedRoute('/items', (_request, call) => ({ json: { call } }))
    const server = await start({ responseCache: { cache: newCache() }, routes: [items.route] })
    await send(`${server.url}/items`)
    const noCache = await send(`${server.url}/items`, { headers: { 'cache-control': 'no-cache' } })
    expect(JSON.parse(noCache.body)).toEqual({ call: 2 })
    expect(noCache.headers['x-cache']).toBeUndefined()
    await send(`${server.url}/items`, { headers: { 'cache-control': 'no-store' } })
    await send(`${server.url}/items`, { headers: { authorization: 'Bearer secret' } })
    expect(items.calls.count).toBe(4)
    expect((await send(`${server.url}/items`)).headers['x-cache']).toBe('HIT')
  })

  it('keeps one entry per value of the request headers named in Vary', async () => {
    const greeting = countedRoute('/greeting', (request) => ({
      text: request.headers['accept-language'] === 'de' ? 'Hallo' : 'Bonjour',
      headers: { vary: 'Accept-Language' },
    }))
    const server = await start({ responseCache: { cache: newCache() }, routes: [greeting.route] })
    const german = { headers: { 'accept-language': 'de' } }
    const french = { headers: { 'accept-language': 'fr' } }
    expect((await send(`${server.url}/greeting`, german)).headers['x-cache']).toBe('MISS')
    expect((await send(`${server.url}/greeting`, french)).headers['x-cache']).toBe('MISS')
    const germanHit = await send(`${server.url}/greeting`, german)
    const frenchHit = await send(`${server.url}/greeting`, french)
    expect([germanHit.headers['x-cache'], germanHit.body]).toEqual(['HIT', 'Hallo'])
    expect([frenchHit.headers['x-cache'], frenchHit.body]).toEqual(['HIT', 'Bonjour'])
    expect(greeting.calls.count).toBe(2)
  })

  it('serves a stale entry at once while one request refreshes it', async () => {
    const refreshGate = deferred()
    const refreshing = deferred()
    const page = countedRoute('/page', async (_request, call) => {
      if (call === 2) {
        refreshing.resolve()
        await refreshGate.promise
      }
      return { text: `version ${call}` }
    })
    const server = await start({
      // Long enough for the refreshed entry to be fresh still when the last request comes, on a
      // busy machine too.
      responseCache: { cache: newCache({ ttlMs: 250, staleWhileRevalidateMs: 60_000 }) },
      routes: [page.route],
    })
    expect((await send(`${server.url}/page`)).body).toBe('version 1')
    await new Promise((resolve) => setTimeout(resolve, 300))

    const refresher = rawRequest(`${server.url}/page`)
    await refreshing.promise
    const meanwhile = await send(`${server.url}/page`)
    expect([meanwhile.headers['x-cache'], meanwhile.body]).toEqual(['STALE', 'version 1'])
    refreshGate.resolve()
    const refreshed = await refresher.response
    expect(refreshed.headers['x-cache']).toBe('MISS')
    expect(await readBody(refreshed)).toBe('version 2')
    const after = await send(`${server.url}/page`)
    expect([after.headers['x-cache'], after.body]).toEqual(['HIT', 'version 2'])
    expect(page.calls.count).toBe(2)
  })

  it('takes the entry lifetime from the response max-age', async () => {
    const short = countedRoute('/short', (_request, call) => ({
      text: `call ${call}`,
      headers: { 'cache-control': 'public, max-age=0' },
    }))
    const server = await start({ responseCache: { cache: newCache() }, routes: [short.route] })
    await send(`${server.url}/short`)
    await send(`${server.url}/short`)
    expect(short.calls.count).toBe(2)
  })

  it('keeps a response whose max-age is past the longest timer (a year) for that longest time', async () => {
    const errors: unknown[] = []
    const cache = newCache()
    cache.on('loadError', ({ error }) => errors.push(error))
    const yearly = countedRoute('/static/app.js', () => ({
      text: 'console.log(1)',
      headers: { 'cache-control': 'public, max-age=31536000, immutable' },
    }))
    // A response that varies is stored through the cache's own set(), with the same TTL.
    const varying = countedRoute('/static/app.css', () => ({
      text: 'body{}',
      headers: { 'cache-control': 'public, max-age=31536000', vary: 'Accept-Encoding' },
    }))
    const server = await start({
      responseCache: { cache },
      routes: [yearly.route, varying.route],
    })
    for (const path of ['/static/app.js', '/static/app.css']) {
      const first = await send(`${server.url}${path}`, { headers: { 'accept-encoding': 'br' } })
      expect([first.status, first.headers['x-cache']]).toEqual([200, 'MISS'])
      const second = await send(`${server.url}${path}`, { headers: { 'accept-encoding': 'br' } })
      expect([second.status, second.headers['x-cache']]).toEqual([200, 'HIT'])
    }
    expect([yearly.calls.count, varying.calls.count]).toEqual([1, 1])
    expect(errors).toEqual([])
  })

  it('answers HEAD from the GET entry, and sends HEAD to the handler when there is none', async () => {
    const items = countedRoute('/items', (_request, call) => ({
      json: { call, padding: 'x'.repeat(40) },
    }))
    const server = await start({ responseCache: { cache: newCache() }, routes: [items.route] })
    const cold = await send(`${server.url}/items`, { method: 'HEAD' })
    expect(cold.status).toBe(200)
    expect(cold.headers['x-cache']).toBeUndefined()
    expect(items.calls.count).toBe(1)
    const get = await send(`${server.url}/items`)
    expect(get.headers['x-cache']).toBe('MISS')
    const head = await send(`${server.url}/items`, { method: 'HEAD' })
    expect(head.headers['x-cache']).toBe('HIT')
    expect(head.body).toBe('')
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(get.body)))
    expect(head.headers['content-type']).toBe(get.headers['content-type'])
    expect(items.calls.count).toBe(2)
  })

  it('leaves other methods alone', async () => {
    let posts = 0
    const server = await start({
      responseCache: { cache: newCache() },
      routes: [{ method: 'POST', path: '/orders', handle: () => ({ json: { order: ++posts } }) }],
    })
    await send(`${server.url}/orders`, { method: 'POST' })
    const second = await send(`${server.url}/orders`, { method: 'POST' })
    expect(JSON.parse(second.body)).toEqual({ order: 2 })
    expect(second.headers['x-cache']).toBeUndefined()
  })
})
