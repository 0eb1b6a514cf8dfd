export {
  CatalogDatabase,
  type CatalogDatabaseOptions,
  exportSliceRows,
} from './catalog-database.js'
export {
  CatalogService,
  type CatalogServiceOptions,
  type CatalogTasks,
  searchResultLimit,
} from './catalog-service.js'
export { itemsByIds, type SearchResults, search, searchItems } from './catalog-tasks.js'
export { csvColumns, csvField, csvLine } from './csv-export.js'
export {
  CatalogError,
  type CatalogErrorCode,
  InvalidItemIdError,
  InvalidOrderError,
  InvalidQueryError,
  OutOfStockError,
  UnknownItemError,
  UnknownOrderError,
} from './errors.js'
export { blockEventLoop, debugRoutesEnabled, maximumBlockMs } from './event-loop-block.js'
export { type ErrorBody, httpErrorOf, retryAfterSeconds } from './http-error.js'
export type { Item } from './item.js'
export { generateItems } from './item-generator.js'
export { maximumOrderQuantity, type Order, type OrderRequest, parseOrderRequest } from './order.js'
export { maximumQueryLength, parseId, parseSearchQuery } from './route-parameters.js'
export { rankRows, type SearchHit, tokenize, wordSimilarity } from './search-ranking.js'
export {
  type ListenAddress,
  portFromEnvironment,
  type RunningCatalogServer,
  runCatalogService,
  type ServeCatalog,
  wholeNumberFromEnvironment,
} from './service-runner.js'
