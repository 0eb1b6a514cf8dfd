import { Registry } from 'prom-client'
import { ArrayHistogram } from './array-histogram.js'

/**
 * The registry's exposition, byte for byte what `registry.metrics()` returns, with this package's
 * histograms printed from their cached line starts instead of through the registry's per-line
 * label formatting (the bulk of a scrape: 14 lines per request series). Falls back to
 * `registry.metrics()` where that shortcut could differ: OpenMetrics output, or default labels.
 */
export async function renderRegistry(registry: Registry): Promise<string> {
  if (!canPrintDirectly(registry)) return registry.metrics()
  // One synchronous pass, like the registry's own: every collect of one scrape sees the same snapshots.
  const parts = registry
    .getMetricsAsArray()
    .map((metric: object) =>
      metric instanceof ArrayHistogram
        ? metric.exposition()
        : registry.getSingleMetricAsString((metric as { name: string }).name),
    )
  return `${(await Promise.all(parts)).join('\n\n')}\n`
}

function canPrintDirectly(registry: Registry): boolean {
  if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return false
  // prom-client keeps default labels in a field it does not expose; if it is not there as an empty
  // object we cannot prove there are none, so the registry prints.
  const defaultLabels = (registry as unknown as { _defaultLabels?: unknown })._defaultLabels
  return (
    typeof defaultLabels === 'object' &&
    defaultLabels !== null &&
    Object.keys(defaultLabels).length === 0
  )
}
