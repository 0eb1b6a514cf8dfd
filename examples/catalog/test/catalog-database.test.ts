import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  CatalogDatabase,
  csvColumns,
  exportSliceRows,
  InvalidOrderError,
  itemsByIds,
  OutOfStockError,
  parseOrderRequest,
  searchItems,
  UnknownItemError,
} from '../src/index.js'

const folder = mkdtempSync(join(tmpdir(), 'catalog-test-'))
const file = join(folder, 'nested', 'catalog.sqlite')
const seedRows = 2_500
const database = CatalogDatabase.open({ file, seedRows })

afterAll(() => {
  database.close()
  rmSync(folder, { recursive: true, force: true })
})

describe('seeding', () => {
  it('creates the folder and seeds an empty database once', () => {
    expect(database.itemCount()).toBe(seedRows)
    const again = CatalogDatabase.open({ file, seedRows: 10 })
    expect(again.itemCount()).toBe(seedRows)
    again.close()
  })

  it('seeds the same rows for the same seed', () => {
    const otherFile = join(folder, 'other.sqlite')
    const other = CatalogDatabase.open({ file: otherFile, seedRows })
    expect(itemsByIds(otherFile, [1, 1234, seedRows])).toEqual(
      itemsByIds(file, [1, 1234, seedRows]),
    )
    other.close()
  })
})

describe('itemsByIds', () => {
  it('answers a batch aligned with its ids, null for a missing id, duplicates included', () => {
    const items = itemsByIds(file, [3, seedRows + 1, 1, 3])
    expect(items.map((item) => item?.id ?? null)).toEqual([3, null, 1, 3])
    expect(items[0]).toMatchObject({ sku: 'SKU-000003' })
    expect(Object.keys(items[0]!).sort()).toEqual(
      ['category', 'description', 'id', 'name', 'priceCents', 'sku', 'stock'].sort(),
    )
  })
})

describe('searchItems', () => {
  it('ranks name matches first and only returns rows matching every word', () => {
    const hits = searchItems(file, 'oak chair', 5)
    expect(hits.length).toBe(5)
    for (const hit of hits) expect(hit.name).toMatch(/Oak Chair$/)
    const scores = hits.map((hit) => hit.score)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
  })

  it('finds plural and prefix forms, and nothing for an empty query', () => {
    expect(searchItems(file, 'lamps', 3).every((hit) => hit.name.endsWith('Lamp'))).toBe(true)
    expect(searchItems(file, '  ', 3)).toEqual([])
  })
})

describe('orders', () => {
  it('takes the stock, records the order, then its receipt and fulfilment', () => {
    const itemId = itemsByIds(file, [10, 11, 12]).find((item) => item!.stock > 0)!.id
    const [before] = itemsByIds(file, [itemId])
    const order = database.placeOrder({ itemId, quantity: 1, email: 'ada@example.com' })
    expect(order).toMatchObject({ itemId, quantity: 1, status: 'placed', receiptSent: false })
    expect(order.totalCents).toBe(before!.priceCents)
    expect(database.order(order.id)).toMatchObject({ receiptSent: false, status: 'placed' })
    database.writeReceipt(order)
    database.markFulfilled(order.id)
    expect(database.order(order.id)).toMatchObject({ receiptSent: true, status: 'fulfilled' })
    expect(itemsByIds(file, [itemId])[0]!.stock).toBe(before!.stock - 1)
  })

  it('rejects an unknown item and too large an order, changing nothing', () => {
    expect(() =>
      database.placeOrder({ itemId: seedRows + 5, quantity: 1, email: 'a@b.co' }),
    ).toThrow(UnknownItemError)
    const [item] = itemsByIds(file, [20])
    expect(() =>
      database.placeOrder({ itemId: 20, quantity: item!.stock + 1, email: 'a@b.co' }),
    ).toThrow(OutOfStockError)
    expect(itemsByIds(file, [20])[0]!.stock).toBe(item!.stock)
    expect(database.order(999_999)).toBeUndefined()
  })

  it('validates order bodies field by field', () => {
    expect(parseOrderRequest({ itemId: 1, quantity: 2, email: 'a@b.co' })).toEqual({
      itemId: 1,
      quantity: 2,
      email: 'a@b.co',
    })
    expect(() => parseOrderRequest('nope')).toThrow(InvalidOrderError)
    expect(() => parseOrderRequest({ itemId: 0, quantity: 1, email: 'a@b.co' })).toThrow(/itemId/)
    expect(() => parseOrderRequest({ itemId: 1, quantity: 101, email: 'a@b.co' })).toThrow(
      /quantity must be an integer from 1 to 100, got 101/,
    )
    expect(() => parseOrderRequest({ itemId: 1, quantity: 1, email: 'nobody' })).toThrow(/email/)
  })
})

describe('exportCsv', () => {
  it('streams a header and every item in id order, slice by slice', async () => {
    const chunks: string[] = []
    for await (const chunk of database.exportCsv()) chunks.push(chunk)
    expect(chunks[0]).toBe(`${csvColumns.join(',')}\r\n`)
    expect(chunks.length).toBe(1 + Math.ceil(seedRows / exportSliceRows))
    const lines = chunks.join('').trimEnd().split('\r\n')
    expect(lines.length).toBe(seedRows + 1)
    expect(lines[1]).toMatch(/^1,SKU-000001,[A-Za-z -]+,[a-z]+,\d+,\d+$/)
    expect(lines.at(-1)).toMatch(new RegExp(`^${seedRows},`))
  })
})
