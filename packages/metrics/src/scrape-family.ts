import { Counter, Gauge } from 'prom-client'
import type { FamilySpec } from './kind-spec.js'
import type { TrackedEntry } from './tracked-entry.js'

type Family = Gauge<string> | Counter<string>

/**
 * A prom-client gauge or counter whose `collect` reads every tracked primitive of a kind at scrape
 * time. Counters are set from the primitive's cumulative count (reset, then incremented by it).
 * Values that are not numbers, and negative counts, are skipped rather than thrown at scrape time.
 */
export function createFamily(
  spec: FamilySpec,
  prefix: string,
  entries: ReadonlyMap<string, TrackedEntry>,
): Family {
  const labelNames = spec.split === undefined ? ['name'] : ['name', spec.split.label]
  const configuration = {
    name: `${prefix}${spec.name}`,
    help: spec.help,
    labelNames,
    registers: [],
    aggregator: spec.aggregator ?? 'sum',
    collect(this: Family) {
      this.reset()
      for (const entry of entries.values()) collectEntry(this, spec, entry)
    },
  }
  return spec.type === 'gauge' ? new Gauge(configuration) : new Counter(configuration)
}

function collectEntry(family: Family, spec: FamilySpec, entry: TrackedEntry): void {
  const source = spec.fromEvents === true ? entry.events : entry.snapshot()
  if (source === undefined) return
  if (spec.split === undefined) {
    write(family, { name: entry.name }, source[spec.field!] ?? (spec.fromEvents ? 0 : undefined))
    return
  }
  for (const [labelValue, field] of Object.entries(spec.split.fields)) {
    write(family, { name: entry.name, [spec.split.label]: labelValue }, source[field])
  }
}

function write(family: Family, labels: Record<string, string>, raw: unknown): void {
  const value = typeof raw === 'boolean' ? Number(raw) : raw
  if (typeof value !== 'number' || Number.isNaN(value)) return
  if (family instanceof Gauge) {
    family.set(labels, value)
  } else if (value >= 0 && Number.isFinite(value)) {
    family.inc(labels, value)
  }
}
