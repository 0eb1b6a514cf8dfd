import { BatchShapeError, MissingKeyError } from '../errors.js'
import type { MissingKeyPolicy } from '../types.js'
import { keepHiddenClass } from './hidden-class-samples.js'

/** How a batch's result is matched to its keys. */
export interface ResultMatching<K> {
  readonly batcherName: string
  readonly missingKey: MissingKeyPolicy
  readonly cacheKeyOf: ((key: K) => unknown) | undefined
}

/**
 * A settled batch as its keys' promises read it. Every key's promise is a reaction to the batch's
 * own promise, registered in position order, and the spec runs reactions in registration order, so
 * each reaction takes the next value: no resolver functions and no closure per load.
 */
export class BatchOutcome {
  // TypeScript `private` rather than `#private`: V8's mid-tier compiler, which is as far as code run
  // once per batch usually gets, does not inline the definition of a `#private` field.
  private readonly values: ArrayLike<unknown>
  /** Position to index in `values`, -1 for an abandoned position; `undefined` when none was abandoned. */
  private readonly indexOfPosition: Int32Array | undefined
  private position = 0

  constructor(values: ArrayLike<unknown>, indexOfPosition: Int32Array | undefined) {
    this.values = values
    this.indexOfPosition = indexOfPosition
  }

  /** The next position's value; an `Error` value rejects that key's promise. */
  next(): unknown {
    const position = this.position++
    const index = this.indexOfPosition === undefined ? position : this.indexOfPosition[position]!
    // An abandoned position's promise has no caller left; resolve it quietly.
    if (index < 0) return undefined
    const value = this.values[index]
    if (value instanceof Error) throw value
    return value
  }
}

keepHiddenClass(new BatchOutcome([], undefined))

/** The reaction every key's promise is made of. */
export function takeNext(outcome: BatchOutcome): unknown {
  return outcome.next()
}

/**
 * Matches a batch function's result to the keys it was given: an array of the same length, or a
 * `Map` looked up by key, then by cache key. Anything else is a `BatchShapeError`.
 */
export function outcomeOf<K>(
  result: unknown,
  keys: readonly K[],
  indexOfPosition: Int32Array | undefined,
  matching: ResultMatching<K>,
): BatchOutcome | BatchShapeError {
  if (Array.isArray(result) && result.length === keys.length) {
    return new BatchOutcome(result, indexOfPosition)
  }
  if (result instanceof Map) {
    const values = new Array<unknown>(keys.length)
    for (let index = 0; index < keys.length; index++) {
      values[index] = valueFromMap(result, keys[index]!, matching)
    }
    return new BatchOutcome(values, indexOfPosition)
  }
  return new BatchShapeError(matching.batcherName, keys.length, result)
}

function valueFromMap<K>(
  result: ReadonlyMap<unknown, unknown>,
  key: K,
  matching: ResultMatching<K>,
): unknown {
  if (result.has(key)) return result.get(key)
  if (matching.cacheKeyOf !== undefined) {
    const cacheKey = matching.cacheKeyOf(key)
    if (result.has(cacheKey)) return result.get(cacheKey)
  }
  if (matching.missingKey === 'undefined') return undefined
  return new MissingKeyError(matching.batcherName, key)
}
