import { describeValue } from './errors.js'

/** Throws a `TypeError`/`RangeError` naming the option unless `value` is a positive integer or `Infinity`. */
export function assertCount(option: string, value: unknown): number {
  const valid =
    typeof value === 'number' &&
    (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1))
  if (!valid) {
    throw invalid(value, `${option} must be a positive integer or Infinity, got ${describe(value)}`)
  }
  return value
}

/** Throws unless `value` is a finite number of milliseconds that is not negative. */
export function assertMilliseconds(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(
      value,
      `${option} must be a finite number of milliseconds >= 0, got ${describe(value)}`,
    )
  }
  return value
}

/** Throws a `TypeError` unless `value` is `undefined` or one of `allowed`. */
export function assertOneOf<T extends string | boolean>(
  option: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined || allowed.includes(value as T)) return value as T | undefined
  const list = allowed.map((entry) => describe(entry)).join(' or ')
  throw invalid(value, `${option} must be ${list}, got ${describe(value)}`, true)
}

/** Throws a `TypeError` unless `value` is `undefined` or of type `type`. */
export function assertOptionalType(option: string, value: unknown, type: 'function' | 'string') {
  if (value !== undefined && typeof value !== type) {
    throw invalid(value, `${option} must be a ${type}, got ${describe(value)}`, true)
  }
}

function invalid(value: unknown, message: string, alwaysType = false): Error {
  const range = typeof value === 'number' && !alwaysType
  const error = range ? new RangeError(message) : new TypeError(message)
  return Object.assign(error, { code: range ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE' })
}

function describe(value: unknown): string {
  return typeof value === 'function' ? 'a function' : describeValue(value)
}
