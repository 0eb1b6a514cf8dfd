/**
 * Starts a timer that does not keep the process alive (a pending timeout must never stop a server
 * from exiting), or none when `milliseconds` is `Infinity`. Durations reach here already checked
 * against `MAX_TIMEOUT_MS`, so no delay is silently clamped to 1 ms.
 */
export function startTimer(
  callback: () => void,
  milliseconds: number,
): ReturnType<typeof setTimeout> | undefined {
  if (milliseconds === Number.POSITIVE_INFINITY) return undefined
  const timer = setTimeout(callback, milliseconds)
  // Not every runtime's timer has unref() (Workers and browsers return a number).
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref()
  return timer
}

/** Like {@link startTimer}, but repeating. */
export function startInterval(
  callback: () => void,
  milliseconds: number,
): ReturnType<typeof setInterval> | undefined {
  if (milliseconds === Number.POSITIVE_INFINITY) return undefined
  const timer = setInterval(callback, milliseconds)
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref()
  return timer
}
