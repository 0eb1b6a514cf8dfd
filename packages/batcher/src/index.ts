export { Batcher } from './batcher.js'
export * from './errors.js'
export {
  type BatchEvent,
  type BatcherEvents,
  type BatcherOptions,
  type BatcherStats,
  type BatchFunction,
  type BatchFunctionContext,
  type BatchResult,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_WAITING,
  DEFAULT_WINDOW_MS,
  type LoadManyOptions,
  type LoadOptions,
  type MissingKeyPolicy,
} from './types.js'
