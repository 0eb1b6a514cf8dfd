/**
 * A lazy thenable like a Knex query builder or a Mongoose query: every then() call runs the query
 * again, so a cache must call it exactly once per load.
 */
export function countingThenable<T>(value: T): PromiseLike<T> & { readonly runs: number } {
  let runs = 0
  return {
    get runs() {
      return runs
    },
    // biome-ignore lint/suspicious/noThenProperty: the point of the test is a thenable
    then(onFulfilled, onRejected) {
      runs++
      return Promise.resolve(value).then(onFulfilled, onRejected)
    },
  }
}
