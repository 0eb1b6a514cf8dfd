import {
  booleanOption,
  checkOptions,
  durationOption,
  functionOption,
  integerOption,
  nameOption,
  type OptionSchema,
  oneOfOption,
  signalOption,
} from '@loopwork/internal'
import {
  type BatcherOptions,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_WAITING,
  DEFAULT_WINDOW_MS,
  type LoadManyOptions,
  type LoadOptions,
} from '../types.js'
import type { ResultMatching } from './batch-outcome.js'

const count = integerOption({ min: 1, infinity: true })

/** Every option a batcher knows, with the check of its value. */
const batcherSchema: OptionSchema = {
  windowMs: durationOption(),
  maxBatchSize: count,
  concurrency: count,
  maxWaiting: count,
  dedupe: booleanOption,
  cacheKey: functionOption,
  missingKey: oneOfOption(['reject', 'undefined']),
  name: nameOption,
}

const loadSchema: OptionSchema = { signal: signalOption }
const loadManySchema: OptionSchema = { signal: signalOption, rejectOnError: booleanOption }

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
  const checked: BatcherOptions<K> = checkOptions('Batcher options', options, batcherSchema) ?? {}
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
  checkOptions('load() options', options, loadSchema)
}

/** Checks the options of one `loadMany()`; throws an error naming the bad option. */
export function checkLoadManyOptions(options: LoadManyOptions | undefined): void {
  checkOptions('loadMany() options', options, loadManySchema)
}
