/** The longest delay a Node timer honours; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647

/** Throws unless `value` is an integer >= `minimum`, or `Infinity` when `allowInfinity`. */
export function assertInteger(
  option: string,
  value: unknown,
  minimum: number,
  allowInfinity = false,
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

/** Throws unless `value` is `undefined` or a whole number of milliseconds a timer can wait. */
export function assertOptionalMilliseconds(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw invalid(
      value,
      `${option} must be a finite number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${describe(value)}`,
    )
  }
  return value
}

/** Like {@link assertOptionalMilliseconds}, but `Infinity` (wait as long as it takes) is allowed too. */
export function assertDeadline(option: string, value: unknown): number | undefined {
  return value === Number.POSITIVE_INFINITY ? value : assertOptionalMilliseconds(option, value)
}

/** Throws unless `value` is `undefined` or a function. */
export function assertOptionalFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw invalid(value, `${option} must be a function, got ${describe(value)}`)
  }
}

/** Throws unless `value` is `undefined` or a non-empty string. */
export function assertOptionalName(option: string, value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw invalid(value, `${option} must be a non-empty string, got ${describe(value)}`)
  }
  return value
}

/** Throws unless `value` is `undefined` or an `AbortSignal`. */
export function assertOptionalSignal(option: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw invalid(value, `${option} must be an AbortSignal, got ${describe(value)}`)
  }
  return value
}

/** Throws unless `value` is `undefined` or an object (the options bag itself). */
export function assertOptionsObject(option: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw invalid(value, `${option} must be an object, got ${describe(value)}`)
  }
}

/** A `RangeError` for a number out of range, a `TypeError` for a value of the wrong type, with Node's codes. */
export function invalid(value: unknown, message: string): Error {
  const error = typeof value === 'number' ? new RangeError(message) : new TypeError(message)
  return Object.assign(error, {
    code: typeof value === 'number' ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE',
  })
}

/** A short, unambiguous rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`
  if (Array.isArray(value)) return 'an array'
  if (value !== null && typeof value === 'object') return 'an object'
  return String(value)
}
