import { describeValue } from './errors.js'

const metricNamePrefix = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/

/**
 * Throws unless `value` is a non-empty array of finite, non-negative, strictly ascending numbers;
 * returns a frozen copy so later changes by the caller cannot corrupt the histogram.
 */
export function assertBuckets(option: string, value: unknown): readonly number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid(
      value,
      `${option} must be a non-empty array of ascending upper bounds in seconds, got ${describeValue(value)}`,
      false,
    )
  }
  for (let index = 0; index < value.length; index++) {
    const bound = value[index]
    if (typeof bound !== 'number' || !Number.isFinite(bound) || bound < 0) {
      throw invalid(
        bound,
        `${option}[${index}] must be a finite number >= 0 (+Inf is always added), got ${describeValue(bound)}`,
      )
    }
    if (index > 0 && bound <= (value[index - 1] as number)) {
      throw new RangeError(
        `${option} must be strictly ascending, but ${option}[${index}] (${bound}) follows ${value[index - 1]}`,
      )
    }
  }
  return Object.freeze([...value])
}

/** Throws unless `value` is `undefined` or a valid start of a Prometheus metric name. */
export function assertPrefix(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value !== 'string' || !metricNamePrefix.test(value)) {
    throw invalid(
      value,
      `prefix must match /[a-zA-Z_:][a-zA-Z0-9_:]*/ (a Prometheus metric name start), got ${describeValue(value)}`,
      false,
    )
  }
  return value
}

/** Throws unless `value` is `undefined` or a number within `[min, max]` (an integer if asked); returns it or the fallback. */
export function assertNumber(
  option: string,
  value: unknown,
  fallback: number,
  range: { min: number; max: number; integer?: boolean; minExclusive?: boolean },
): number {
  if (value === undefined) return fallback
  const belowMin =
    typeof value === 'number' && (range.minExclusive ? value <= range.min : value < range.min)
  if (
    typeof value !== 'number' ||
    Number.isNaN(value) ||
    belowMin ||
    value > range.max ||
    (range.integer === true && !Number.isInteger(value))
  ) {
    const kind = range.integer ? 'an integer' : 'a number'
    const lower = `${range.minExclusive ? '>' : '>='} ${range.min}`
    throw invalid(
      value,
      `${option} must be ${kind} ${lower} and <= ${range.max}, got ${describeValue(value)}`,
    )
  }
  return value
}

/** Throws unless `value` is `undefined` or a boolean; returns it or the fallback. */
export function assertBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') {
    throw invalid(value, `${option} must be a boolean, got ${describeValue(value)}`, false)
  }
  return value
}

/** Throws unless `value` is a function. */
export function assertFunction<T>(option: string, value: T): T {
  if (typeof value !== 'function') {
    throw invalid(value, `${option} must be a function, got ${describeValue(value)}`, false)
  }
  return value
}

/** Throws unless `value` is `undefined` or a plain options object. */
export function assertOptionsObject(where: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw invalid(value, `${where} options must be an object, got ${describeValue(value)}`, false)
  }
}

/** A `RangeError` for a number out of range, a `TypeError` otherwise, with Node's codes. */
function invalid(value: unknown, message: string, rangeIfNumber = true): Error {
  const isRange = rangeIfNumber && typeof value === 'number'
  const error = isRange ? new RangeError(message) : new TypeError(message)
  return Object.assign(error, { code: isRange ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE' })
}
