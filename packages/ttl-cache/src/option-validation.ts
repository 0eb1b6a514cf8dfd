// Bad options get an error naming the option, the value and what is allowed, in the style of Node's
// own ERR_OUT_OF_RANGE / ERR_INVALID_ARG_TYPE.

/** Throws unless `value` is a number of milliseconds >= 0 (`Infinity` allowed: "never expires"). */
export function assertDuration(option: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw invalid(value, `${option} must be a number of milliseconds >= 0 or Infinity`)
  }
  return value
}

/** Like {@link assertDuration}, but `undefined` passes through (the option was not given). */
export function assertOptionalDuration(option: string, value: unknown): number | undefined {
  return value === undefined ? undefined : assertDuration(option, value)
}

/** Throws unless `value` is a finite number of milliseconds > 0. */
export function assertPositiveFiniteDuration(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(value, `${option} must be a finite number of milliseconds > 0`)
  }
  return value
}

/** Throws unless `value` is `undefined` or a positive safe integer. */
export function assertOptionalPositiveInteger(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(value, `${option} must be a positive integer`)
  }
  return value
}

/** Throws unless `value` is `undefined` or an array of strings. */
export function assertOptionalTags(option: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((tag) => typeof tag === 'string')) {
    throw invalid(value, `${option} must be an array of strings`)
  }
  return value.length === 0 ? undefined : value
}

/** Throws unless `value` is a function. */
export function assertFunction(option: string, value: unknown): void {
  if (typeof value !== 'function') throw invalid(value, `${option} must be a function`)
}

/** Throws unless `value` is `undefined` or an `AbortSignal`. */
export function assertOptionalSignal(option: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw invalid(value, `${option} must be an AbortSignal`)
  }
  return value
}

function invalid(value: unknown, expectation: string): Error {
  const message = `${expectation}, got ${describe(value)}`
  const error = typeof value === 'number' ? new RangeError(message) : new TypeError(message)
  return Object.assign(error, {
    code: typeof value === 'number' ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE',
  })
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`
  if (value !== null && typeof value === 'object') return Object.prototype.toString.call(value)
  return String(value)
}
