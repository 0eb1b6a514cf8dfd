// The smoke check every catalog service's test runs against its live server: every route, its
// errors, the after-response work and the metrics. One check, so the three services answer alike.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Item } from './item.js'
import type { Order } from './order.js'
import type { SearchHit } from './search-ranking.js'

/** Every request of the check gives up after this long: no check can hang. */
const requestTimeoutMs = 15_000

async function request(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) })
  const text = await response.text()
  const json = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined
  return { status: response.status, headers: response.headers, text, json }
}

function postJson(url: string, body: unknown) {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

/** What the check saw, for the test to print or assert further. */
export interface ServiceCheckReport {
  items: number
  orderId: number
  exportedLines: number
}

/**
 * Exercises every route of a catalog service at `origin` and throws an AssertionError naming the
 * first thing that is wrong. Expects a freshly seeded database of 100,000 items.
 */
export async function checkCatalogService(origin: string): Promise<ServiceCheckReport> {
  const health = await request(`${origin}/health`)
  assert.equal(health.status, 200, 'GET /health')
  assert.equal(health.json.status, 'ok')
  const itemCount = health.json.items as number
  assert.equal(itemCount, 100_000, 'the database is seeded with 100,000 items')

  // GET /items/:id: batched lookups behind the response cache
  const first = await request(`${origin}/items/7`)
  assert.equal(first.status, 200, 'GET /items/7')
  assert.equal((first.json as Item).id, 7)
  assert.equal((first.json as Item).sku, 'SKU-000007')
  assert.equal(first.headers.get('x-cache'), 'MISS', 'the first GET /items/7 is a cache miss')
  const second = await request(`${origin}/items/7`)
  assert.equal(second.headers.get('x-cache'), 'HIT', 'the second GET /items/7 is a cache hit')
  assert.deepEqual(second.json, first.json)
  const ids = Array.from({ length: 40 }, (_, index) => 5_000 + index)
  const many = await Promise.all(ids.map((id) => request(`${origin}/items/${id}`)))
  assert.deepEqual(
    many.map((answer) => [answer.status, (answer.json as Item).id]),
    ids.map((id) => [200, id]),
    '40 concurrent lookups each get their own item',
  )
  const invalidId = await request(`${origin}/items/seven`)
  assert.equal(invalidId.status, 400, 'GET /items/seven')
  assert.equal(invalidId.json.code, 'CATALOG_INVALID_ITEM_ID')
  const missing = await request(`${origin}/items/${itemCount + 1}`)
  assert.equal(missing.status, 404, 'GET /items/<missing>')
  assert.equal(missing.json.code, 'CATALOG_UNKNOWN_ITEM')

  // GET /search?q=: ranking in the worker pool
  const search = await request(`${origin}/search?q=${encodeURIComponent('oak chair')}`)
  assert.equal(search.status, 200, 'GET /search?q=oak chair')
  const hits = search.json.hits as SearchHit[]
  assert.equal(hits.length, 20)
  for (const hit of hits) assert.match(hit.name, /Oak Chair$/)
  assert.equal((await request(`${origin}/search`)).status, 400, 'GET /search without q')

  // POST /orders: the write, then the receipt after the response and the queued fulfilment
  const inStock = many.map((answer) => answer.json as Item).find((item) => item.stock >= 2)!
  const placed = await postJson(`${origin}/orders`, {
    itemId: inStock.id,
    quantity: 2,
    email: 'ada@example.com',
  })
  assert.equal(placed.status, 201, `POST /orders: ${placed.text}`)
  const order = placed.json as Order
  assert.equal(order.receiptSent, false, 'the receipt is written after the response')
  assert.equal(order.totalCents, inStock.priceCents * 2)
  let latest = order
  for (
    let attempt = 0;
    attempt < 100 && !(latest.receiptSent && latest.status === 'fulfilled');
    attempt++
  ) {
    await sleep(50)
    latest = (await request(`${origin}/orders/${order.id}`)).json as Order
  }
  assert.equal(latest.receiptSent, true, 'the receipt reached the outbox')
  assert.equal(latest.status, 'fulfilled', 'the queued follow-up fulfilled the order')
  const badOrder = await postJson(`${origin}/orders`, { itemId: 1, quantity: 0, email: 'a@b.co' })
  assert.equal(badOrder.status, 400, 'POST /orders with quantity 0')
  assert.equal(badOrder.json.code, 'CATALOG_INVALID_ORDER')
  const unknownItem = await postJson(`${origin}/orders`, {
    itemId: itemCount + 1,
    quantity: 1,
    email: 'a@b.co',
  })
  assert.equal(unknownItem.status, 404, 'POST /orders for a missing item')
  const scarce = many.map((answer) => answer.json as Item).find((item) => item.stock < 100)!
  const tooMany = await postJson(`${origin}/orders`, {
    itemId: scarce.id,
    quantity: scarce.stock + 1,
    email: 'a@b.co',
  })
  assert.equal(tooMany.status, 409, 'POST /orders for more than the stock')
  assert.equal(tooMany.json.code, 'CATALOG_OUT_OF_STOCK')
  assert.equal((await request(`${origin}/orders/999999999`)).status, 404, 'GET /orders/<missing>')

  // GET /export: the whole catalog, streamed
  const csv = await request(`${origin}/export`)
  assert.equal(csv.status, 200, 'GET /export')
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/)
  const lines = csv.text.trimEnd().split('\r\n')
  assert.equal(lines[0], 'id,sku,name,category,price_cents,stock')
  assert.equal(lines.length, itemCount + 1, 'a header and one line per item')
  assert.match(lines[7]!, /^7,SKU-000007,/)

  // GET /metrics: route templates, never raw paths, and every primitive tracked
  const metrics = await request(`${origin}/metrics`)
  assert.equal(metrics.status, 200, 'GET /metrics')
  assert.match(
    metrics.text,
    /catalog_http_request_duration_seconds_bucket\{[^}]*route="\/items\/:id"/,
  )
  assert.doesNotMatch(metrics.text, /route="\/items\/7"/, 'no raw path as a label')
  for (const name of [
    'catalog-queries',
    'threads',
    'search-routes',
    'export-routes',
    'items',
    'item-responses',
    'order-follow-ups',
  ]) {
    assert.match(metrics.text, new RegExp(`name="${name}"`), `metrics of ${name}`)
  }
  assert.match(metrics.text, /catalog_eventloop_delay_seconds/)

  assert.equal((await request(`${origin}/nowhere`)).status, 404, 'an unknown route')
  return { items: itemCount, orderId: order.id, exportedLines: lines.length }
}
