/** Throws a `TypeError` naming the option unless `value` is a positive integer or `Infinity`. */
export function assertTokenCount(option: string, value: unknown, allowZero: boolean): number {
  const valid =
    typeof value === 'number' &&
    (value === Number.POSITIVE_INFINITY ||
      (Number.isInteger(value) && value >= (allowZero ? 0 : 1)))
  if (!valid) {
    const allowed = allowZero
      ? 'a non-negative integer or Infinity'
      : 'a positive integer or Infinity'
    throw rangeOrTypeError(value, `${option} must be ${allowed}, got ${describe(value)}`)
  }
  return value
}

/** Throws unless `value` is `undefined` or a finite number of milliseconds that is not negative. */
export function assertOptionalMilliseconds(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw rangeOrTypeError(
      value,
      `${option} must be a finite number of milliseconds >= 0, got ${describe(value)}`,
    )
  }
  return value
}

function rangeOrTypeError(value: unknown, message: string): Error {
  const error = typeof value === 'number' ? new RangeError(message) : new TypeError(message)
  return Object.assign(error, {
    code: typeof value === 'number' ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE',
  })
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  return String(value)
}
