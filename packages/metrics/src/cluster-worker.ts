import { AggregatorRegistry, type Registry } from 'prom-client'

/**
 * In a `node:cluster` worker: answers the primary's `AggregatorRegistry.clusterMetrics()` with
 * these registries, so one `/metrics` on the primary shows every worker. It sets the registries
 * prom-client's worker side reports and constructs an `AggregatorRegistry`, which is what installs
 * the worker's IPC listener: without it the primary's scrape times out.
 *
 * Histograms and counters are summed across workers; the event-loop window gauges take the worst
 * worker (`max`), utilization gauges the average.
 *
 * @example
 * if (cluster.isWorker) shareWithClusterPrimary(metrics)
 */
export function shareWithClusterPrimary(
  ...sources: Array<Registry | { readonly registry: Registry }>
): void {
  const registries = sources.map((source) => ('registry' in source ? source.registry : source))
  AggregatorRegistry.setRegistries(registries)
  new AggregatorRegistry()
}
