/**
 * Turns a `monitorEventLoopDelay` histogram (which offers percentiles, not bucket counts) into counts
 * per Prometheus bucket. `percentiles` maps p (0..100) to the delay in nanoseconds that p% of the
 * samples did not exceed; a bucket holds `count × max{p : delay(p) ≤ bound}`. Exact at every
 * percentile the histogram reports, which is every halving of the tail, so close enough for
 * `histogram_quantile`. `offsetNs` is subtracted from every delay (the sampler's own resolution).
 *
 * Returns non-cumulative counts: one per bound, then one for everything above the last bound.
 */
export function bucketCountsFromPercentiles(
  percentiles: ReadonlyMap<number, number>,
  count: number,
  boundsSeconds: readonly number[],
  offsetNs: number,
): Float64Array {
  const counts = new Float64Array(boundsSeconds.length + 1)
  let previous = 0
  for (let bucket = 0; bucket < boundsSeconds.length; bucket++) {
    const limitNs = boundsSeconds[bucket]! * 1e9 + offsetNs
    let fraction = 0
    for (const [percentile, delayNs] of percentiles) {
      if (delayNs <= limitNs && percentile > fraction * 100) fraction = percentile / 100
    }
    const cumulative = Math.max(previous, Math.round(count * fraction))
    counts[bucket] = cumulative - previous
    previous = cumulative
  }
  counts[boundsSeconds.length] = count - previous
  return counts
}
