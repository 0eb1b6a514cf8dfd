/** Throws a `TypeError` (wrong type) or `RangeError` (out of range) naming the option unless `value` is an integer >= `minimum` (or `Infinity` when allowed). */
export function assertCount(
  option: string,
  value: unknown,
  minimum: number,
  allowInfinity: boolean,
): number {
  const valid =
    typeof value === 'number' &&
    ((allowInfinity && value === Number.POSITIVE_INFINITY) ||
      (Number.isInteger(value) && value >= minimum))
  if (!valid) {
    const allowed = `an integer >= ${minimum}${allowInfinity ? ' or Infinity' : ''}`
    throw invalid(value, `${option} must be ${allowed}, got ${describe(value)}`)
  }
  return value
}

/** Throws unless `value` is `undefined` or a number of milliseconds >= 0 (`Infinity` when allowed). */
export function assertOptionalMilliseconds(
  option: string,
  value: unknown,
  allowInfinity: boolean,
): number | undefined {
  if (value === undefined) return undefined
  const valid =
    typeof value === 'number' &&
    value >= 0 &&
    (Number.isFinite(value) || (allowInfinity && value === Number.POSITIVE_INFINITY))
  if (!valid) {
    const allowed = allowInfinity
      ? 'a number of milliseconds >= 0 or Infinity'
      : 'a finite number of milliseconds >= 0'
    throw invalid(value, `${option} must be ${allowed}, got ${describe(value)}`)
  }
  return value
}

/** A `RangeError` for a number out of range, a `TypeError` for anything else, with Node's codes. */
export function invalid(value: unknown, message: string): Error {
  const error = typeof value === 'number' ? new RangeError(message) : new TypeError(message)
  return Object.assign(error, {
    code: typeof value === 'number' ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE',
  })
}

/** A `TypeError` with Node's code, for a value of the wrong type (whatever that value is). */
export function wrongType(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' })
}

/** A short, readable rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`
  if (typeof value === 'function') return 'a function'
  return String(value)
}
