/**
 * Marks an error as one of loopwork's. `Symbol.for` gives the same symbol in every copy of every
 * package, so `instanceof` and `isLoopworkError` still work when npm installs two copies of a
 * package, or when two packages each bundle their own copy of these classes.
 */
const loopworkErrorBrand = Symbol.for('loopwork.error')

/** The codes shared by every loopwork package. Package-specific codes extend this list. */
export type SharedErrorCode =
  | 'ABORT_ERR'
  | 'LOOPWORK_TIMEOUT'
  | 'LOOPWORK_QUEUE_FULL'
  | 'LOOPWORK_CLOSED'
  | 'LOOPWORK_UNSUPPORTED_RUNTIME'

/**
 * Base class of every error a loopwork package rejects with. Match on `code` (stable, documented)
 * or with `instanceof`: both work across copies of the packages, because `instanceof` checks the
 * error's brand and code rather than its prototype chain.
 */
export class LoopworkError extends Error {
  /**
   * The code every instance of this class carries, or `undefined` on a class that groups several
   * codes. The constructor reads it, and `instanceof` compares it, so a subclass with its own code
   * declares it here, once: `static override readonly code = 'MY_CODE'`. A subclass without one
   * carries the code of the class it extends.
   */
  static readonly code: string | undefined = undefined

  /**
   * A stable machine-readable code, for `switch (error.code)`: the static `code` of the class the
   * error was created with, or `'LOOPWORK_ERROR'` when that class has none (a `LoopworkError`
   * created directly, or a grouping class).
   */
  readonly code: string

  /**
   * @param message What went wrong, naming the primitive and what to do about it.
   * @param options `cause`, as for `Error`, and `name`: a subclass passes its class name (the
   *   default is `'LoopworkError'`), spelled out so that a minifier renaming classes cannot change it.
   * @param fields The fields of a subclass, set on the error as they are: the subclass declares them
   *   without emitting them (`declare readonly jobId: string`), so nothing resets them after `super()`.
   */
  constructor(message: string, options?: ErrorOptions & { name?: string }, fields?: object) {
    super(message, options)
    this.name = options?.name ?? 'LoopworkError'
    this.code = new.target.code ?? 'LOOPWORK_ERROR'
    Object.defineProperty(this, loopworkErrorBrand, { value: true })
    if (fields !== undefined) Object.assign(this, fields)
  }

  /**
   * What `value instanceof SomeError` runs. True when `value` carries the loopwork brand and this
   * class's `code`, so the check holds for an error thrown by another installed copy of the
   * package, or by another loopwork package that bundles the same class. On the base class, true
   * for every loopwork error.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!isLoopworkError(value)) return false
    // biome-ignore lint/complexity/noThisInStatic: the class being tested, not LoopworkError
    const code = (this as typeof LoopworkError).code
    if (code !== undefined) return value.code === code
    // A class without a code of its own (the base, or a package's grouping class) falls back to the
    // prototype chain, which for the base is every branded error.
    // biome-ignore lint/complexity/noThisInStatic: the class being tested, not LoopworkError
    return this === LoopworkError || Function.prototype[Symbol.hasInstance].call(this, value)
  }
}

/** True when `value` is an error thrown by any loopwork package (any copy), optionally with `code`. */
export function isLoopworkError(value: unknown, code?: string): value is LoopworkError {
  if (typeof value !== 'object' || value === null) return false
  if ((value as Record<symbol, unknown>)[loopworkErrorBrand] !== true) return false
  return code === undefined || (value as LoopworkError).code === code
}

/**
 * Work was cancelled through an `AbortSignal`. Like Node's own (`timers/promises`, `events.once`,
 * `stream.pipeline`), it is named `AbortError`, has code `ABORT_ERR` and carries the signal's
 * reason as `cause`.
 */
export class AbortError extends LoopworkError {
  static override readonly code = 'ABORT_ERR'

  constructor(message: string, reason: unknown) {
    super(message, { cause: reason, name: 'AbortError' })
  }
}

/** Work took longer than the `timeoutMs` it was given. */
export class TimeoutError extends LoopworkError {
  static override readonly code = 'LOOPWORK_TIMEOUT'

  /** The `timeoutMs` that ran out. */
  declare readonly timeoutMs: number

  constructor(message: string, timeoutMs: number, options?: ErrorOptions) {
    super(message, { ...options, name: 'TimeoutError' }, { timeoutMs })
  }
}

/**
 * A bounded primitive refused work at once because its bound was reached, instead of letting it
 * wait without limit. HTTP adapters answer it with 503 and `Retry-After`.
 */
export class QueueFullError extends LoopworkError {
  static override readonly code = 'LOOPWORK_QUEUE_FULL'

  /** The option whose bound was reached, such as `maxWaiting`. */
  declare readonly option: string
  /** The value of that option. */
  declare readonly limit: number

  constructor(message: string, option: string, limit: number) {
    super(message, { name: 'QueueFullError' }, { option, limit })
  }
}

/** The primitive was closed (or is closing) and accepts no new work. */
export class ClosedError extends LoopworkError {
  static override readonly code = 'LOOPWORK_CLOSED'

  constructor(message: string) {
    super(message, { name: 'ClosedError' })
  }
}

/**
 * The runtime lacks what a primitive needs (worker threads on Cloudflare Workers, enforced
 * `resourceLimits` on Bun...). Thrown when the primitive is created, never later from its work.
 */
export class UnsupportedRuntimeError extends LoopworkError {
  static override readonly code = 'LOOPWORK_UNSUPPORTED_RUNTIME'

  /** The runtime, as `'bun'`, `'deno'`, `'workerd'`, `'node'` or `'other'`. */
  declare readonly runtime: string
  /** What is missing, such as `worker_threads` or `resourceLimits`. */
  declare readonly feature: string

  constructor(message: string, runtime: string, feature: string) {
    super(message, { name: 'UnsupportedRuntimeError' }, { runtime, feature })
  }
}

/** The AbortError for `signal`, or its reason when that already is one (no double wrapping). */
export function abortErrorFor(message: string, signal: AbortSignal): AbortError {
  const reason: unknown = signal.reason
  return reason instanceof AbortError ? reason : new AbortError(message, reason)
}
