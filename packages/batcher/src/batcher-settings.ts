import type { ResultMatching } from './batch-outcome.js'
import type { BatcherOptions } from './batcher-options.js'
import {
  assertCount,
  assertMilliseconds,
  assertOneOf,
  assertOptionalType,
} from './option-validation.js'

/** The default batch window in milliseconds. */
export const DEFAULT_WINDOW_MS = 10
/** The default largest batch. */
export const DEFAULT_MAX_BATCH_SIZE = 1000
/** The default bound on keys waiting for a batch. */
export const DEFAULT_MAX_PENDING_KEYS = 10_000

/** A batcher's validated options, with their defaults applied. */
export interface BatcherSettings<K> {
  readonly name: string
  readonly windowMs: number
  readonly maxBatchSize: number
  readonly maxConcurrentBatches: number
  readonly maxPendingKeys: number
  readonly dedupe: boolean
  /** The key's identity for dedupe; `undefined` when dedupe is off or keys are their own identity. */
  readonly cacheKeyOf: ((key: K) => unknown) | undefined
  readonly matching: ResultMatching<K>
}

/**
 * Validates a batcher's options: anything invalid throws a `TypeError` or `RangeError` naming the
 * option, the value and what is allowed. `null` is not "left out": it is invalid.
 */
export function settingsFrom<K>(options: BatcherOptions<K>): BatcherSettings<K> {
  if (typeof options !== 'object' || options === null) {
    throw Object.assign(new TypeError(`options must be an object, got ${String(options)}`), {
      code: 'ERR_INVALID_ARG_TYPE',
    })
  }
  const dedupe = assertOneOf('dedupe', options.dedupe, [true, false]) ?? true
  assertOptionalType('cacheKey', options.cacheKey, 'function')
  assertOptionalType('name', options.name, 'string')
  const name = options.name ?? 'batcher'
  return {
    name,
    windowMs: assertMilliseconds('windowMs', valueOr(options.windowMs, DEFAULT_WINDOW_MS)),
    maxBatchSize: assertCount(
      'maxBatchSize',
      valueOr(options.maxBatchSize, DEFAULT_MAX_BATCH_SIZE),
    ),
    maxConcurrentBatches: assertCount(
      'maxConcurrentBatches',
      valueOr(options.maxConcurrentBatches, Number.POSITIVE_INFINITY),
    ),
    maxPendingKeys: assertCount(
      'maxPendingKeys',
      valueOr(options.maxPendingKeys, DEFAULT_MAX_PENDING_KEYS),
    ),
    dedupe,
    // Only dedupe needs a key's identity as the load arrives.
    cacheKeyOf: dedupe ? options.cacheKey : undefined,
    matching: {
      batcherName: name,
      missingKey:
        assertOneOf('missingKey', options.missingKey, ['reject', 'undefined']) ?? 'reject',
      cacheKeyOf: options.cacheKey,
    },
  }
}

function valueOr(value: unknown, fallback: number): unknown {
  return value === undefined ? fallback : value
}
