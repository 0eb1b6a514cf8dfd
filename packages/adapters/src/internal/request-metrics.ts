import * as option from '@loopwork/internal/options'
import type { Metrics } from '@loopwork/metrics'
import type { RequestMetricsOptions } from '../types.js'
import { methodsOption } from './option-checks.js'

const metricsOption = methodsOption<Metrics>(['startRequest', 'render'])
const renderableOption = methodsOption<Metrics>(['render'])

/** Checks the options of the request metrics and returns the `Metrics` to record into. */
export function requestMetricsOf(options: RequestMetricsOptions): Metrics {
  option.check('requestMetrics() options', options, { metrics: metricsOption })
  return metricsOption('metrics', options?.metrics)
}

/** Checks the `metrics` given to a `/metrics` handler. */
export function renderableMetrics(metrics: Metrics): Metrics {
  return renderableOption('metricsHandler() metrics', metrics)
}
