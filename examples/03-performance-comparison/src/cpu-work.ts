/**
 * Deterministic CPU-bound work: `iterations` rounds of an integer mix. It returns its result so the
 * optimizer cannot drop the loop, and it allocates nothing, so the same call costs the same on the
 * event loop and in a worker thread.
 */
export function spinCpu(iterations: number): number {
  let state = 0x9e3779b9
  for (let index = 0; index < iterations; index++) {
    state = Math.imul(state ^ (state >>> 16), 0x85ebca6b)
    state = Math.imul(state ^ (state >>> 13), 0xc2b2ae35)
    state = (state ^ (state >>> 16)) + index
  }
  return state >>> 0
}

/**
 * How many {@link spinCpu} iterations take about `targetMs` on this machine: the median of a few
 * timed runs after a warm-up, so every endpoint does work of one known length.
 */
export function calibrateIterations(targetMs: number): number {
  const sampleIterations = 200_000
  spinCpu(sampleIterations)
  const costs: number[] = []
  for (let round = 0; round < 5; round++) {
    const started = performance.now()
    spinCpu(sampleIterations)
    costs.push((performance.now() - started) / sampleIterations)
  }
  costs.sort((left, right) => left - right)
  return Math.max(1, Math.round(targetMs / costs[2]!))
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4))

/**
 * Blocks the calling thread for `milliseconds` without using the CPU, the way a synchronous
 * driver call or `fs.readFileSync` on a slow disk does.
 */
export function sleepSync(milliseconds: number): void {
  Atomics.wait(sleepCell, 0, 0, milliseconds)
}
