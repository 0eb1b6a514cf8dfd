import type { Registry } from 'prom-client'
import { MetricNameConflictError } from '../errors.js'

/** Anything a prom-client registry accepts: prom-client's metrics (whose typings omit `name`) and this package's own. */
export type RegistrableMetric = object

function nameOf(metric: RegistrableMetric): string {
  return (metric as { name: string }).name
}

/**
 * The metrics one `createMetrics` put into a registry: registered all or none (a name conflict
 * removes what the same call had registered and throws `MetricNameConflictError`), and removed
 * again on close so the registry can be reused.
 */
export class MetricRegistrations {
  readonly registry: Registry
  readonly #names: string[] = []

  constructor(registry: Registry) {
    this.registry = registry
  }

  /** Registers every metric, or none of them. */
  registerAll(metrics: readonly RegistrableMetric[]): void {
    const taken = metrics
      .map(nameOf)
      .find((name) => this.registry.getSingleMetric(name) !== undefined)
    if (taken !== undefined) throw new MetricNameConflictError(taken)
    const registered: string[] = []
    try {
      for (const metric of metrics) {
        this.registry.registerMetric(metric as never)
        registered.push(nameOf(metric))
      }
    } catch (error) {
      for (const name of registered) this.registry.removeSingleMetric(name)
      const failed = metrics[registered.length]
      throw new MetricNameConflictError(failed === undefined ? '' : nameOf(failed), error)
    }
    this.#names.push(...registered)
  }

  /** Runs `register` and removes from the registry whatever it added if it throws. */
  registerForeign(register: () => void): void {
    const before = new Set(this.registry.getMetricsAsArray().map(nameOf))
    try {
      register()
    } catch (error) {
      const added = this.#added(before)
      for (const name of added) this.registry.removeSingleMetric(name)
      const conflict = /name (\S+) has already been registered/.exec(String(error))
      throw new MetricNameConflictError(conflict?.[1] ?? 'unknown', error)
    }
    this.#names.push(...this.#added(before))
  }

  /** Removes every metric registered through this object. */
  unregisterAll(): void {
    for (const name of this.#names.splice(0)) this.registry.removeSingleMetric(name)
  }

  #added(before: Set<string>): string[] {
    return this.registry
      .getMetricsAsArray()
      .map(nameOf)
      .filter((name) => !before.has(name))
  }
}
