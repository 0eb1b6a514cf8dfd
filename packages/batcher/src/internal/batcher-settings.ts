import * as option from '@loopwork/internal/options'
import {
  type BatcherOptions,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_WAITING,
  DEFAULT_WINDOW_MS,
  type LoadManyOptions,
  type LoadOptions,
} from '../types.js'
import type { ResultMatching } from './batch-outcome.js'

const count = option.integer({ min: 1, infinity: true })

/** Every option a batcher knows, with the check of its value. */
const batcherSchema: option.Schema = {
  windowMs: option.duration(),
  maxBatchSize: count,
  concurrency: count,
  maxWaiting: count,
  dedupe: option.boolean,
  cacheKey: option.function,
  missingKey: option.oneOf(['reject', 'undefined']),
  name: option.name,
}

const loadSchema: option.Schema = { signal: option.signal }
const loadManySchema: option.Schema = { signal: option.signal, rejectOnError: option.boolean }

/** A batcher's checked options, with their defaults applied. */
export interface BatcherSettings<K> {
  readonly name: string
  readonly windowMs: number
  readonly maxBatchSize: number
  readonly concurrency: number
  readonly maxWaiting: number
  readonly dedupe: boolean
  /** The key's identity for dedupe; `undefined` when dedupe is off or keys are their own identity. */
  readonly cacheKeyOf: ((key: K) => unknown) | undefined
  readonly matching: ResultMatching<K>
}

/**
 * Checks a batcher's options (anything unknown or invalid throws an error naming the option and
 * what is allowed) and applies the defaults.
 */
export function settingsFrom<K>(options: BatcherOptions<K> | undefined): BatcherSettings<K> {
  const checked: BatcherOptions<K> = option.check('Batcher options', options, batcherSchema) ?? {}
  const name = checked.name ?? 'batcher'
  const dedupe = checked.dedupe ?? true
  return {
    name,
    windowMs: checked.windowMs ?? DEFAULT_WINDOW_MS,
    maxBatchSize: checked.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    concurrency: checked.concurrency ?? Number.POSITIVE_INFINITY,
    maxWaiting: checked.maxWaiting ?? DEFAULT_MAX_WAITING,
    dedupe,
    // Only dedupe needs a key's identity as the load arrives.
    cacheKeyOf: dedupe ? checked.cacheKey : undefined,
    matching: {
      batcherName: name,
      missingKey: checked.missingKey ?? 'reject',
      cacheKeyOf: checked.cacheKey,
    },
  }
}

/** Checks the options of one `load()`; throws an error naming the bad option. */
export function checkLoadOptions(options: LoadOptions): void {
  option.check('load() options', options, loadSchema)
}

/** Checks the options of one `loadMany()`; throws an error naming the bad option. */
export function checkLoadManyOptions(options: LoadManyOptions | undefined): void {
  option.check('loadMany() options', options, loadManySchema)
}
