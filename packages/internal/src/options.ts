import { describeValue } from './describe-value.ts'

// The option checks, one vocabulary imported as a namespace so that a schema reads like the options
// it describes: `import * as option from '@loopwork/internal/options'`, then
// `{ leaseMs: option.duration({ min: 30 }), name: option.name }`.

/**
 * The longest delay a timer honours (2^31 - 1 ms, about 24.8 days). Node, Bun, Deno and browsers
 * fire a longer one after 1 ms, so every duration option refuses a finite value above it; where an
 * option means "no limit when left out", `Infinity` is accepted and means the same as leaving it out.
 */
export const MAX_TIMEOUT_MS = 2_147_483_647

/** The code of every error thrown for a bad option, whatever the package. */
export const INVALID_OPTION_CODE = 'LOOPWORK_INVALID_OPTION'

/** A `TypeError` or `RangeError` thrown for a bad option: names the option, says what is allowed. */
export type InvalidError = (TypeError | RangeError) & {
  readonly code: typeof INVALID_OPTION_CODE
  /** The option's path, such as `maxWaiting` or `acquire() options.timeoutMs`. */
  readonly option: string
}

/**
 * The error for `option` holding `value` where `allowed` was expected: a `RangeError` for a number
 * where a number was expected but this one is out of range, a `TypeError` otherwise (a number where
 * a boolean or an object was expected is the wrong type, not out of range). `outOfRange` overrides
 * that reading of `allowed`.
 */
export function invalid(
  option: string,
  value: unknown,
  allowed: string,
  outOfRange = typeof value === 'number' && numericAllowed.test(allowed),
): InvalidError {
  return error(option, `${option} must be ${allowed}, got ${describeValue(value)}`, outOfRange)
}

/**
 * An option error whose message says more than "must be ..., got ...", such as a hint for a known
 * option of another library: a `TypeError` (a `RangeError` when `outOfRange`) with the shared
 * `code` and the `option`.
 */
export function error(option: string, message: string, outOfRange = false): InvalidError {
  const thrown = outOfRange ? new RangeError(message) : new TypeError(message)
  return Object.assign(thrown, { code: INVALID_OPTION_CODE, option }) as InvalidError
}

const numericAllowed = /\b(number|integer|milliseconds?|bytes|Infinity)\b/

/** Checks one option's value (present, not `undefined`) and returns it typed; throws otherwise. */
export type Check<T> = (option: string, value: unknown) => T

/** Bounds for {@link integer}. */
export interface IntegerBounds {
  /** The smallest value allowed. */
  min: number
  /** The largest value allowed. @default Number.MAX_SAFE_INTEGER */
  max?: number
  /** Whether `Infinity` (no bound) is allowed. @default false */
  infinity?: boolean
}

/** An integer within `bounds`, or `Infinity` when allowed. */
export function integer(bounds: IntegerBounds): Check<number> {
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER
  const allowed = `an integer from ${bounds.min} to ${max === Number.MAX_SAFE_INTEGER ? 'Number.MAX_SAFE_INTEGER' : max}${bounds.infinity ? ', or Infinity' : ''}`
  return (option, value) => {
    if (typeof value === 'number') {
      if (value === Number.POSITIVE_INFINITY && bounds.infinity) return value
      if (Number.isInteger(value) && value >= bounds.min && value <= max) return value
    }
    throw invalid(option, value, allowed)
  }
}

/**
 * A duration in milliseconds from 0 to {@link MAX_TIMEOUT_MS}; with `infinity`, `Infinity` too,
 * meaning "no time limit" (no timer is started).
 */
export function duration(options: { infinity?: boolean; min?: number } = {}): Check<number> {
  const min = options.min ?? 0
  const allowed = `a number of milliseconds from ${min} to ${MAX_TIMEOUT_MS}${options.infinity ? ', or Infinity for no limit' : ''}`
  return (option, value) => {
    if (typeof value === 'number') {
      if (value === Number.POSITIVE_INFINITY && options.infinity) return value
      if (value >= min && value <= MAX_TIMEOUT_MS) return value
    }
    throw invalid(option, value, allowed)
  }
}

/** A non-empty string. */
export const name: Check<string> = (option, value) => {
  if (typeof value === 'string' && value.length > 0) return value
  throw invalid(option, value, 'a non-empty string')
}

/** Any string. */
export const string: Check<string> = (option, value) => {
  if (typeof value === 'string') return value
  throw invalid(option, value, 'a string')
}

/** `true` or `false`. */
export const boolean: Check<boolean> = (option, value) => {
  if (typeof value === 'boolean') return value
  throw invalid(option, value, 'true or false')
}

/** A function. */
const callable: Check<(...args: never[]) => unknown> = (option, value) => {
  if (typeof value === 'function') return value as (...args: never[]) => unknown
  throw invalid(option, value, 'a function')
}

export { callable as function }

/** An `AbortSignal`. */
export const signal: Check<AbortSignal> = (option, value) => {
  if (value instanceof AbortSignal) return value
  throw invalid(option, value, 'an AbortSignal')
}

/** An object (not `null`, not an array). */
export const object: Check<object> = (option, value) => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value
  throw invalid(option, value, 'an object')
}

/** One of `choices` (compared with `===`). */
export function oneOf<const T>(choices: readonly T[]): Check<T> {
  const allowed = `one of ${choices.map((choice) => describeValue(choice)).join(', ')}`
  return (option, value) => {
    if (choices.includes(value as T)) return value as T
    throw invalid(option, value, allowed)
  }
}

/** Whatever the value is: the option is known, and its own code checks it. */
export const any: Check<unknown> = (_option, value) => value

/** A map from each known option name to the check of its value. */
export type Schema = Readonly<Record<string, Check<unknown>>>

/**
 * The per-call options of a call that may wait (`acquire()`, `run()`, `spawn()`): `signal` ends the
 * wait, `timeoutMs` bounds it (`Infinity` for no limit). A call with more options spreads it into
 * its own schema.
 */
export const waitSchema: Schema = {
  signal,
  timeoutMs: duration({ infinity: true }),
}

/**
 * Checks an options bag against `schema`: `undefined` is an empty bag; anything but a plain object
 * is a `TypeError`; a key the schema does not know is a `TypeError` that names it and suggests the
 * closest known name (a misspelled option must never be silently ignored); each present value that
 * is not `undefined` goes through its check. Returns `input` itself, so nothing is copied.
 *
 * @param what How the bag is called in messages, such as `CapacityLimiter options`.
 */
export function check<T extends object>(
  what: string,
  input: T | undefined,
  schema: Schema,
): T | undefined {
  if (input === undefined) return undefined
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    // A bag of the wrong kind is a TypeError even when it is a number (`new CapacityLimiter(40)`),
    // which `invalid` alone would call a RangeError.
    throw error(what, `${what} must be an options object, got ${describeValue(input)}`)
  }
  for (const key in input) {
    const valueCheck = schema[key]
    if (valueCheck === undefined) {
      if (!Object.hasOwn(schema, key)) throw unknownOption(what, key, Object.keys(schema))
      continue
    }
    const value = (input as Record<string, unknown>)[key]
    if (value !== undefined) valueCheck(key, value)
  }
  return input
}

function unknownOption(what: string, key: string, known: readonly string[]): InvalidError {
  const suggestion = closestName(key, known)
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`
  return error(key, `Unknown option "${key}" in ${what}${hint}; known options: ${known.join(', ')}`)
}

/** The known name closest to `name` (case-insensitive edit distance), when one is close enough. */
function closestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase()
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
