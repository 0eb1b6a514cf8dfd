/** Stable codes of the catalog's domain errors; the services map them to HTTP statuses. */
export type CatalogErrorCode =
  | 'CATALOG_INVALID_ORDER'
  | 'CATALOG_UNKNOWN_ITEM'
  | 'CATALOG_OUT_OF_STOCK'
  | 'CATALOG_INVALID_ITEM_ID'
  | 'CATALOG_UNKNOWN_ORDER'
  | 'CATALOG_INVALID_QUERY'

/** Base class of the catalog's errors: each has a `name` and a stable `code`. */
export class CatalogError extends Error {
  override readonly name: string = 'CatalogError'
  readonly code: CatalogErrorCode

  constructor(code: CatalogErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** An order body that is not `{ itemId, quantity, email }` with sane values. */
export class InvalidOrderError extends CatalogError {
  override readonly name = 'InvalidOrderError'

  constructor(message: string) {
    super('CATALOG_INVALID_ORDER', message)
  }
}

/** An item or order id in a path that is not a positive integer. */
export class InvalidItemIdError extends CatalogError {
  override readonly name = 'InvalidItemIdError'

  constructor(value: unknown, what = 'item id') {
    super(
      'CATALOG_INVALID_ITEM_ID',
      `${what} must be a positive integer, got ${JSON.stringify(value)}`,
    )
  }
}

/** A search without a usable `q`. */
export class InvalidQueryError extends CatalogError {
  override readonly name = 'InvalidQueryError'

  constructor(message: string) {
    super('CATALOG_INVALID_QUERY', message)
  }
}

/** An order id the catalog has no order for. */
export class UnknownOrderError extends CatalogError {
  override readonly name = 'UnknownOrderError'

  constructor(orderId: number) {
    super('CATALOG_UNKNOWN_ORDER', `order ${orderId} does not exist`)
  }
}

/** An order for an item the catalog does not hold. */
export class UnknownItemError extends CatalogError {
  override readonly name = 'UnknownItemError'

  constructor(itemId: number) {
    super('CATALOG_UNKNOWN_ITEM', `item ${itemId} does not exist`)
  }
}

/** An order for more units than the item has in stock. */
export class OutOfStockError extends CatalogError {
  override readonly name = 'OutOfStockError'

  constructor(itemId: number, requested: number, available: number) {
    super(
      'CATALOG_OUT_OF_STOCK',
      `item ${itemId} has ${available} in stock, ${requested} were ordered`,
    )
  }
}
