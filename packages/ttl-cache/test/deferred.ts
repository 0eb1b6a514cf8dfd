import { vi } from 'vitest'

/** A promise with its resolvers, for tests that settle loads by hand. */
export function deferred<T = void>() {
  return Promise.withResolvers<T>()
}

/** Lets every queued microtask and promise reaction run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** The rejection reason of `promise`, or a failure if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject')
}

/**
 * Fakes the clock and timers but not `setImmediate`, so `flush()` still lets promise work run
 * without moving time.
 */
export function useFakeClock(): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  })
}
