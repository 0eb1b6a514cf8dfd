/** Percentiles of a set of latencies, in milliseconds. */
export interface LatencySummary {
  count: number
  p50: number
  p99: number
  max: number
}

/** The nearest-rank percentile of ascending `sorted` values (`fraction` from 0 to 1). */
function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.ceil(fraction * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

/** Rounds to a precision that fits a table: 0.01 ms. */
function rounded(milliseconds: number): number {
  return Math.round(milliseconds * 100) / 100
}

/** Summarizes latencies (in milliseconds) as p50, p99 and max. */
export function summarizeLatencies(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((left, right) => left - right)
  return {
    count: sorted.length,
    p50: rounded(percentile(sorted, 0.5)),
    p99: rounded(percentile(sorted, 0.99)),
    max: rounded(sorted.at(-1) ?? 0),
  }
}
