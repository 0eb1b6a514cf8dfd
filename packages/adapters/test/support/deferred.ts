/** A promise with its resolve function, to hold a handler or a task until the test lets it go. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>
  resolve(value: T): void
  readonly settled: boolean
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  let settled = false
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return {
    promise,
    resolve(value: T) {
      settled = true
      resolve(value)
    },
    get settled() {
      return settled
    },
  }
}
