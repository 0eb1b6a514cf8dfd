import type { DurationSummary } from '../types.js'

/** Samples each summary looks at: the most recent ones, so the figures follow current load. */
export const WINDOW_SIZE = 1024

/**
 * The last `WINDOW_SIZE` durations in a fixed ring: recording is one store with no allocation,
 * and the sorting happens only when someone asks for a summary.
 */
export class SampleWindow {
  readonly #samples = new Float64Array(WINDOW_SIZE)
  #count = 0

  record(value: number): void {
    this.#samples[this.#count++ % WINDOW_SIZE] = value
  }

  summary(): DurationSummary {
    const size = Math.min(this.#count, WINDOW_SIZE)
    if (size === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 }
    const sorted = this.#samples.slice(0, size).sort()
    let total = 0
    for (const value of sorted) total += value
    return {
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted[size - 1]!,
      mean: total / size,
    }
  }
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!
}
