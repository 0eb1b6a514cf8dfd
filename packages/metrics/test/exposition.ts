import { Registry } from 'prom-client'

/** A registry printing OpenMetrics (prom-client's typings only declare the default constructor). */
export function openMetricsRegistry(): Registry {
  const registry = new Registry()
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never)
  return registry
}

/** A parsed Prometheus text exposition: sample values by `name{labels}` and types by family. */
export interface ParsedExposition {
  readonly samples: Map<string, number>
  readonly types: Map<string, string>
}

/** Parses Prometheus text format strictly enough to catch malformed output. */
export function parseExposition(text: string): ParsedExposition {
  const samples = new Map<string, number>()
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type !== null) {
      types.set(type[1]!, type[2]!)
      continue
    }
    if (line.startsWith('# HELP ')) continue
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line)
    if (sample === null) throw new Error(`malformed exposition line: ${line}`)
    const key = `${sample[1]}${sample[2] ?? ''}`
    if (samples.has(key)) throw new Error(`duplicate sample: ${key}`)
    const raw = sample[3]!
    // prom-client prints NaN as "Nan" (its default metrics do before the first GC sample).
    const value =
      raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === 'Nan' ? Number.NaN : Number(raw)
    if (Number.isNaN(value) && raw !== 'Nan' && raw !== 'NaN')
      throw new Error(`bad value in line: ${line}`)
    samples.set(key, value)
  }
  return { samples, types }
}

/** The value of one sample, failing loudly when it is missing. */
export function sample(parsed: ParsedExposition, key: string): number {
  const value = parsed.samples.get(key)
  if (value === undefined) {
    const near = [...parsed.samples.keys()].filter((candidate) =>
      candidate.startsWith(key.split('{')[0]!),
    )
    throw new Error(`no sample ${key}; samples of that name: ${near.slice(0, 10).join(', ')}`)
  }
  return value
}
