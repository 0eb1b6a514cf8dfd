// The task module every pool in the benchmark loads: plain JavaScript, as it ships in production.
// Named exports for @loopwork/thread-offload, piscina and tinypool alike (both pick them by `name`).

/** The trivial task: returns its input. */
export function trivial(value) {
  return value
}

/**
 * A fixed integer loop, calibrated by the benchmark to about 1 ms. It stays within 32-bit integers:
 * a loop whose sum overflows them gets recompiled by V8 at random moments, which made single threads
 * several times slower in some runs, whatever the pool.
 */
export function cpu(iterations) {
  let accumulator = 0
  for (let index = 0; index < iterations; index++) accumulator = (accumulator ^ index) & 0xffff
  return accumulator
}
