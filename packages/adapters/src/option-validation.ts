/** The longest delay a Node timer honours; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647

/** Throws unless `value` is a plain object (the options bag itself). */
export function assertOptionsObject(option: string, value: unknown): void {
  if (value === null || typeof value !== 'object') {
    throw invalid(value, `${option} must be an object, got ${describe(value)}`)
  }
}

/** Throws unless `value` is `undefined` or a whole number of seconds from 0 (for `Retry-After`). */
export function assertOptionalSeconds(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(value, `${option} must be a whole number of seconds >= 0, got ${describe(value)}`)
  }
  return value
}

/** Throws unless `value` is `undefined` or a number of milliseconds a timer can wait. */
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

/** Throws unless `value` is `undefined` or a function. */
export function assertOptionalFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw invalid(value, `${option} must be a function, got ${describe(value)}`)
  }
}

/** Throws unless `value` is an object that has every method in `methods` (a structural check). */
export function assertHasMethods(option: string, value: unknown, methods: readonly string[]): void {
  const missing =
    value === null || (typeof value !== 'object' && typeof value !== 'function')
      ? methods
      : methods.filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function')
  if (missing.length > 0) {
    throw invalid(
      value,
      `${option} must be an object with ${methods.map((method) => `${method}()`).join(', ')}, got ${describe(value)}`,
    )
  }
}

/** Throws unless `value` is `undefined` or an array of path strings starting with `/`. */
export function assertOptionalPaths(option: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (
    !Array.isArray(value) ||
    value.some((path) => typeof path !== 'string' || !path.startsWith('/'))
  ) {
    throw invalid(
      value,
      `${option} must be an array of paths starting with "/", got ${describe(value)}`,
    )
  }
  return value
}

/** A `RangeError` for a number out of range, a `TypeError` otherwise, with Node's codes. */
export function invalid(value: unknown, message: string): Error {
  const error = typeof value === 'number' ? new RangeError(message) : new TypeError(message)
  return Object.assign(error, {
    code: typeof value === 'number' ? 'ERR_OUT_OF_RANGE' : 'ERR_INVALID_ARG_TYPE',
  })
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
  if (value !== null && typeof value === 'object') {
    return `an object (${value.constructor?.name ?? 'null prototype'})`
  }
  return String(value)
}
