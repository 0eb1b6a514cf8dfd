/**
 * Starts a timer that does not keep the process alive (a pending timeout must never stop a server
 * from exiting), or none when `milliseconds` is `Infinity`. Durations reach here already checked
 * against `MAX_TIMEOUT_MS`, so no delay is silently clamped to 1 ms.
 */
export function startTimer(
  callback: () => void,
  milliseconds: number,
): ReturnType<typeof setTimeout> | undefined {
  return startUnrefed(setTimeout, callback, milliseconds)
}

/** Like {@link startTimer}, but repeating. */
export function startInterval(
  callback: () => void,
  milliseconds: number,
): ReturnType<typeof setInterval> | undefined {
  return startUnrefed(setInterval, callback, milliseconds)
}

function startUnrefed<T extends ReturnType<typeof setTimeout>>(
  schedule: (callback: () => void, milliseconds: number) => T,
  callback: () => void,
  milliseconds: number,
): T | undefined {
  if (milliseconds === Number.POSITIVE_INFINITY) return undefined
  const timer = schedule(callback, milliseconds)
  // Not every runtime's timer has unref() (Workers and browsers return a number).
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref()
  return timer
}
