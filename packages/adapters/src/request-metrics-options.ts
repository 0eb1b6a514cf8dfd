import type { Metrics } from '@loopwork/metrics'
import { assertHasMethods, assertOptionsObject } from './option-validation.js'

/** Options of the `requestMetrics` middleware/plugin of every adapter. */
export interface RequestMetricsOptions {
  /**
   * Where requests are recorded: duration by method, matched route template and status, plus the
   * in-flight gauge. Requests that matched no route get the metrics package's one fixed route label.
   *
   * @example requestMetrics({ metrics: createMetrics({ prefix: 'app_' }) })
   */
  readonly metrics: Metrics
}

/** Checks the options of the request metrics and returns the `Metrics` to record into. */
export function resolveRequestMetrics(options: RequestMetricsOptions): Metrics {
  assertOptionsObject('options', options)
  assertHasMethods('metrics', options.metrics, ['startRequest', 'render'])
  return options.metrics
}

/** Checks the `metrics` given to a `/metrics` handler. */
export function assertRenderable(metrics: Metrics): Metrics {
  assertHasMethods('metrics', metrics, ['render'])
  return metrics
}
