/** One row of the catalog's `items` table, as the routes return it. */
export interface Item {
  id: number
  sku: string
  name: string
  category: string
  description: string
  priceCents: number
  stock: number
}

/** The columns the worker-thread queries select, in the shape of {@link Item}. */
export const itemColumns =
  'id, sku, name, category, description, price_cents AS priceCents, stock' as const
