/**
 * Deterministic CPU-bound work: `iterations` rounds of an integer mix, returning its result so the
 * optimizer cannot drop the loop.
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

/** How many {@link spinCpu} iterations take about `targetMs` on this machine. */
export function calibrateIterations(targetMs: number): number {
  const sampleIterations = 200_000
  spinCpu(sampleIterations)
  const started = performance.now()
  spinCpu(sampleIterations)
  const costPerIteration = (performance.now() - started) / sampleIterations
  return Math.max(1, Math.round(targetMs / costPerIteration))
}
