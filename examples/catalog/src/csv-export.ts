import type { Item } from './item.js'

/** The columns of `GET /export`, in order. */
export const csvColumns = ['id', 'sku', 'name', 'category', 'price_cents', 'stock'] as const

/** Quotes a CSV field only when it must be (RFC 4180: a comma, a quote or a line break). */
export function csvField(value: string | number): string {
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One item as a CSV line, with its line break. */
export function csvLine(
  item: Pick<Item, 'id' | 'sku' | 'name' | 'category' | 'priceCents' | 'stock'>,
) {
  return `${item.id},${csvField(item.sku)},${csvField(item.name)},${csvField(item.category)},${item.priceCents},${item.stock}\r\n`
}
