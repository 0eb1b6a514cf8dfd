/**
 * Turns what a user's function returned into a promise, calling a thenable's `then()` exactly once.
 * `Promise.resolve(thenable)` plus a `then()` of our own would run a lazy thenable twice: a Knex
 * query builder or a Mongoose query returned from a task would execute twice.
 * A native promise is returned as it is (its `then()` has no side effects).
 */
export function adoptResult<T>(value: T | PromiseLike<T>): Promise<T> {
  return adoptThenable(value) ?? Promise.resolve(value as T)
}

/**
 * Like {@link adoptResult}, but `undefined` when `value` is no thenable, so a caller can use a
 * synchronous result at once, without a promise and without reading `then` a second time. Reads
 * `then` once and calls it at most once; a `then` getter that throws gives a rejected promise.
 */
export function adoptThenable<T>(value: T | PromiseLike<T>): Promise<T> | undefined {
  if (value instanceof Promise) return value
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return undefined
  let then: unknown
  try {
    then = (value as { then?: unknown }).then
  } catch (error) {
    return Promise.reject(error)
  }
  if (typeof then !== 'function') return undefined
  return new Promise<T>((resolve, reject) => {
    ;(then as PromiseLike<T>['then']).call(value, resolve, reject)
  })
}

/** True when `value` has a callable `then` (reads `then` once). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
