import type { Registry } from 'prom-client'

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /**
   * The prom-client registry to register in. Share one with your own metrics to serve a single
   * `/metrics`; give each `createMetrics` on a shared registry its own `prefix`.
   *
   * @default a fresh `new Registry()`
   * @example createMetrics({ registry: register }) // prom-client's global registry
   */
  readonly registry?: Registry

  /**
   * Put before every metric name this creates (and before prom-client's default metrics).
   *
   * @default ''
   * @example createMetrics({ prefix: 'app_' }) // app_http_request_duration_seconds
   */
  readonly prefix?: string

  /**
   * Upper bounds in seconds of the request duration histogram; finite, ascending, +Inf is added.
   *
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] (prom-client's defaults)
   * @example createMetrics({ buckets: [0.01, 0.05, 0.1, 0.5, 1, 5] })
   */
  readonly buckets?: readonly number[]

  /**
   * Also register prom-client's default process metrics (CPU, memory, GC, handles). Off by default:
   * they cost a GC observer and a second delay monitor, and this package's event-loop metrics
   * already cover the loop.
   *
   * @default false
   * @example createMetrics({ defaultMetrics: true })
   */
  readonly defaultMetrics?: boolean

  /**
   * Export event-loop delay (histogram and window percentiles) and utilization.
   *
   * @default true
   * @example createMetrics({ eventLoop: false })
   */
  readonly eventLoop?: boolean

  /**
   * Upper bounds in seconds of the event-loop delay histogram.
   *
   * @default [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
   * @example createMetrics({ eventLoopBuckets: [0.01, 0.1, 1] })
   */
  readonly eventLoopBuckets?: readonly number[]

  /**
   * Sampling resolution of the event-loop delay monitor, in milliseconds (1 to 1000).
   *
   * @default 10
   * @example createMetrics({ eventLoopResolutionMs: 20 })
   */
  readonly eventLoopResolutionMs?: number

  /**
   * Distinct route labels kept; requests to routes seen after that are labelled `__overflow__`,
   * so an adapter bug that passes raw paths cannot explode cardinality.
   *
   * @default 1000
   * @example createMetrics({ maxRoutes: 200 })
   */
  readonly maxRoutes?: number

  /**
   * Label status codes by class (`2xx`, `4xx`) instead of the code, for fewer series.
   *
   * @default false
   * @example createMetrics({ groupStatusCodes: true })
   */
  readonly groupStatusCodes?: boolean
}
