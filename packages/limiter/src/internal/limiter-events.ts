/**
 * Whether anyone listens to any event of `emitter`. eventemitter3 keeps this count on the instance;
 * reading it costs nothing, where `listenerCount(name)` twice per task showed up in the run-queue
 * profile. A limiter builds an event object only when it is watched.
 */
export function isWatched(emitter: object): boolean {
  return (emitter as { _eventsCount?: number })._eventsCount! > 0
}

/**
 * A listener's error surfaces as an uncaught exception, as it would from a timer: thrown into the
 * promise reaction that released a token, it would become an unhandled rejection instead, and thrown
 * into the caller of `release()` it would leave waiters without their tokens.
 */
export function reportListenerError(error: unknown): void {
  queueMicrotask(() => {
    throw error
  })
}
