import { Registry } from 'prom-client'
import { DEFAULT_EVENT_LOOP_DELAY_BUCKETS, DEFAULT_REQUEST_BUCKETS } from './default-buckets.js'
import { describeValue } from './errors.js'
import { Metrics } from './metrics.js'
import type { MetricsOptions } from './metrics-options.js'
import {
  assertBoolean,
  assertBuckets,
  assertNumber,
  assertOptionsObject,
  assertPrefix,
} from './option-validation.js'

/**
 * Creates request metrics, primitive tracking and event-loop health in a prom-client registry.
 * Throws a `TypeError`/`RangeError` naming the option for bad options, and
 * `MetricNameConflictError` (registering nothing) when a name is taken in a shared registry.
 *
 * @example
 * const metrics = createMetrics({ prefix: 'app_' })
 * const end = metrics.startRequest()
 * end({ method: 'GET', route: '/users/:id', status: 200 })
 * response.setHeader('content-type', metrics.contentType)
 * response.end(await metrics.render())
 */
export function createMetrics(options?: MetricsOptions): Metrics {
  assertOptionsObject('createMetrics', options)
  const given = options ?? {}
  return new Metrics({
    registry: registryOf(given.registry),
    prefix: assertPrefix(given.prefix),
    buckets:
      given.buckets === undefined
        ? DEFAULT_REQUEST_BUCKETS
        : assertBuckets('buckets', given.buckets),
    defaultMetrics: assertBoolean('defaultMetrics', given.defaultMetrics, false),
    eventLoop: assertBoolean('eventLoop', given.eventLoop, true),
    eventLoopBuckets:
      given.eventLoopBuckets === undefined
        ? DEFAULT_EVENT_LOOP_DELAY_BUCKETS
        : assertBuckets('eventLoopBuckets', given.eventLoopBuckets),
    eventLoopResolutionMs: assertNumber('eventLoopResolutionMs', given.eventLoopResolutionMs, 10, {
      min: 1,
      max: 1000,
      integer: true,
    }),
    maxRoutes: assertNumber('maxRoutes', given.maxRoutes, 1000, {
      min: 1,
      max: 1_000_000,
      integer: true,
    }),
    groupStatusCodes: assertBoolean('groupStatusCodes', given.groupStatusCodes, false),
  })
}

function registryOf(registry: unknown): Registry {
  if (registry === undefined) return new Registry()
  const candidate = registry as Partial<Registry> | null
  if (
    typeof candidate?.registerMetric !== 'function' ||
    typeof candidate.getSingleMetric !== 'function' ||
    typeof candidate.metrics !== 'function'
  ) {
    throw new TypeError(`registry must be a prom-client Registry, got ${describeValue(registry)}`)
  }
  return registry as Registry
}
