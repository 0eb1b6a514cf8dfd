import { METHODS } from 'node:http'
import { InvalidLabelValueError } from './errors.js'
import { OTHER_METHOD } from './request-labels.js'

const knownMethods = new Set(METHODS)

/** The `method` label for a method: upper case if Node knows it, {@link OTHER_METHOD} otherwise (method strings come from clients). */
export function methodLabel(method: unknown): string {
  if (typeof method !== 'string' && typeof method !== 'number') {
    throw new InvalidLabelValueError('method', method, 'a string such as "GET"')
  }
  const upper = String(method).toUpperCase()
  return knownMethods.has(upper) ? upper : OTHER_METHOD
}

/** The route label for a matched route template. */
export function routeLabel(route: unknown): string {
  if (typeof route === 'string') return route
  if (typeof route === 'number' && Number.isFinite(route)) return String(route)
  throw new InvalidLabelValueError(
    'route',
    route,
    'the matched route template as a string, or undefined when no route matched',
  )
}

/** The status code as an integer from 100 to 999. */
export function statusCode(status: unknown): number {
  const code = typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : status
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 999) {
    throw new InvalidLabelValueError(
      'status',
      status,
      'an HTTP status code from 100 to 999 (a number or a numeric string)',
    )
  }
  return code
}

/** The `status_code` label: the code, or its class (`2xx`) when codes are grouped. */
export function statusLabel(code: number, grouped: boolean): string {
  return grouped ? `${Math.floor(code / 100)}xx` : String(code)
}
