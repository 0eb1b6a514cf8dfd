/**
 * Carries errors across the thread boundary. Structured clone turns a custom error into a plain
 * `Error` and drops `code` and every other own property (piscina #1143, tinypool), so a thread
 * serializes errors itself and the pool rebuilds them: name, message, stack, `cause` (recursively),
 * `errors` of an AggregateError and every own enumerable property survive.
 */

/** An error as it travels between threads. */
export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly stack: string | undefined
  readonly hasCause: boolean
  readonly cause: TransportedValue | undefined
  readonly errors: TransportedValue[] | undefined
  readonly properties: Record<string, TransportedValue> | undefined
}

/** A nested value: an error travels serialized, anything else as itself (or as text when it cannot be cloned). */
export type TransportedValue =
  | { readonly kind: 'error'; readonly error: SerializedError }
  | { readonly kind: 'value'; readonly value: unknown }

const MAX_DEPTH = 16
const OWN_FIELDS = new Set(['name', 'message', 'stack', 'cause'])
const BUILT_IN_ERRORS: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
}

/** Turns an error thrown in a thread into a cloneable record. */
export function serializeError(error: Error, depth = 0): SerializedError {
  const hasCause = Object.hasOwn(error, 'cause')
  let properties: Record<string, TransportedValue> | undefined
  for (const key of Object.keys(error)) {
    if (OWN_FIELDS.has(key)) continue
    properties ??= {}
    properties[key] = transportValue((error as unknown as Record<string, unknown>)[key], depth)
  }
  return {
    name: String(error.name),
    message: String(error.message),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    hasCause,
    cause: hasCause ? transportValue(error.cause, depth) : undefined,
    errors:
      error instanceof AggregateError && Array.isArray(error.errors)
        ? error.errors.map((inner: unknown) => transportValue(inner, depth))
        : undefined,
    properties,
  }
}

function transportValue(value: unknown, depth: number): TransportedValue {
  if (value instanceof Error) {
    if (depth >= MAX_DEPTH) return { kind: 'value', value: `${value.name}: ${value.message}` }
    return { kind: 'error', error: serializeError(value, depth + 1) }
  }
  return { kind: 'value', value: cloneableOrText(value) }
}

/** The value itself when structured clone can carry it, else its text, so one odd property never loses the whole error. */
export function cloneableOrText(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value
  try {
    structuredClone(value)
    return value
  } catch {
    return String(value)
  }
}

/** Rebuilds an error on the pool's side, as the built-in class of the same name when there is one. */
export function rehydrateError(serialized: SerializedError): Error {
  const errors = serialized.errors?.map(rehydrateValue)
  const BuiltIn = BUILT_IN_ERRORS[serialized.name]
  const error =
    errors !== undefined
      ? new AggregateError(errors, serialized.message)
      : new (BuiltIn ?? Error)(serialized.message)
  if (error.name !== serialized.name) error.name = serialized.name
  if (serialized.stack === undefined) delete error.stack
  else error.stack = serialized.stack
  if (serialized.hasCause) {
    Object.defineProperty(error, 'cause', {
      value: rehydrateValue(serialized.cause!),
      writable: true,
      configurable: true,
      enumerable: false,
    })
  }
  if (serialized.properties !== undefined) {
    for (const [key, value] of Object.entries(serialized.properties)) {
      ;(error as unknown as Record<string, unknown>)[key] = rehydrateValue(value)
    }
  }
  return error
}

function rehydrateValue(value: TransportedValue): unknown {
  return value.kind === 'error' ? rehydrateError(value.error) : value.value
}
