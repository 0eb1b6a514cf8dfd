/** A promise with its resolvers, for tests that settle work by hand. */
export function deferred<T = void>() {
  return Promise.withResolvers<T>()
}

/** Lets every queued microtask, nextTick and promise reaction run (one macrotask turn). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
