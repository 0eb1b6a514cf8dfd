/** Request duration buckets in seconds: prom-client's defaults, so dashboards built for it keep working. */
export const DEFAULT_REQUEST_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
])

/** Event-loop delay buckets in seconds, from a busy-but-healthy millisecond up to a 5 s stall. */
export const DEFAULT_EVENT_LOOP_DELAY_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
])

/** Batch size buckets (keys per batch). */
export const BATCH_SIZE_BUCKETS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000,
])
