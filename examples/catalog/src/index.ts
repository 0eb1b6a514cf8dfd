export {
  CatalogDatabase,
  type CatalogDatabaseOptions,
  exportSliceRows,
} from './catalog-database.js'
export { itemsByIds, searchItems } from './catalog-tasks.js'
export { csvColumns, csvField, csvLine } from './csv-export.js'
export {
  CatalogError,
  type CatalogErrorCode,
  InvalidItemIdError,
  InvalidOrderError,
  OutOfStockError,
  UnknownItemError,
} from './errors.js'
export type { Item } from './item.js'
export { generateItems } from './item-generator.js'
export { maximumOrderQuantity, type Order, type OrderRequest, parseOrderRequest } from './order.js'
export { rankRows, type SearchHit, tokenize, wordSimilarity } from './search-ranking.js'
