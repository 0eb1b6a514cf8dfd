export { Batcher } from './batcher.js'
export type { BatchEvent, BatcherEvents, BatcherStats } from './batcher-events.js'
export type {
  BatcherOptions,
  BatchFunction,
  BatchFunctionContext,
  BatchResult,
  LoadManyOptions,
  LoadOptions,
  MissingKeyPolicy,
} from './batcher-options.js'
export {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_PENDING_KEYS,
  DEFAULT_WINDOW_MS,
} from './batcher-settings.js'
export {
  AbortError,
  BatcherError,
  type BatcherErrorCode,
  BatcherQueueFullError,
  BatchFailedError,
  BatchShapeError,
  MissingKeyError,
} from './errors.js'
