// The checks of the adapters' own option types, on top of the shared ones of @loopwork/internal.
import * as option from '@loopwork/internal/options'

/** A `Retry-After` value: a whole number of seconds from 0. */
export const retryAfterOption: option.Check<number> = option.integer({ min: 0 })

/**
 * An object with every method in `methods`, recognised by shape rather than by class, so a
 * primitive from another installed copy of its package fits as well.
 */
export function methodsOption<T extends object>(methods: readonly string[]): option.Check<T> {
  const allowed = `an object with ${methods.map((method) => `${method}()`).join(', ')}`
  return (name, value) => {
    if (
      value !== null &&
      (typeof value === 'object' || typeof value === 'function') &&
      methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function')
    ) {
      return value as T
    }
    throw option.invalid(name, value, allowed)
  }
}

/** An array of request paths, each starting with `/`. */
export const pathsOption: option.Check<readonly string[]> = (name, value) => {
  if (
    Array.isArray(value) &&
    value.every((path) => typeof path === 'string' && path.startsWith('/'))
  ) {
    return value
  }
  throw option.invalid(name, value, 'an array of paths starting with "/"')
}

/** An array of objects. */
export const objectsOption: option.Check<readonly object[]> = (name, value) => {
  if (Array.isArray(value) && value.every((item) => item !== null && typeof item === 'object')) {
    return value
  }
  throw option.invalid(name, value, 'an array of objects')
}
