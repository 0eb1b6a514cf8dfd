/**
 * A lazy thenable, like a Knex query builder or a Mongoose query: every call of its `then()` would
 * run the query again. It counts how often `then` is read and called, and records whether each call
 * got two functions, so a test can check that a result is adopted exactly once.
 */
export function countingThenable<T>(outcome: { value: T } | { error: unknown }): {
  readonly thenable: PromiseLike<T>
  readonly counts: { reads: number; calls: number; callsWithoutTwoFunctions: number }
} {
  const counts = { reads: 0, calls: 0, callsWithoutTwoFunctions: 0 }
  const thenable = {
    // biome-ignore lint/suspicious/noThenProperty: a lazy thenable is exactly what this stands for
    get then() {
      counts.reads++
      return (onFulfilled?: (value: T) => unknown, onRejected?: (error: unknown) => unknown) => {
        counts.calls++
        if (typeof onFulfilled !== 'function' || typeof onRejected !== 'function') {
          counts.callsWithoutTwoFunctions++
        }
        // Settles on a later tick, as a query would.
        setImmediate(() => {
          if ('value' in outcome) onFulfilled?.(outcome.value)
          else onRejected?.(outcome.error)
        })
      }
    },
  }
  return { thenable: thenable as unknown as PromiseLike<T>, counts }
}
