// The task module every pool in the benchmark loads: plain JavaScript, as it ships in production.
// Named exports for @loopwork/thread-offload, piscina and tinypool alike (both pick them by `name`).

/** The trivial task: returns its input. */
export function trivial(value) {
  return value
}

/** A fixed integer loop, calibrated by the benchmark to about 1 ms. */
export function cpu(iterations) {
  let accumulator = 0
  for (let index = 0; index < iterations; index++) accumulator = (accumulator + index * 7) | 0
  return accumulator
}
