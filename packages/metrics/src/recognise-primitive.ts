import { describeValue, UnrecognisedPrimitiveError } from './errors.js'
import type { PrimitiveKind } from './primitive-shapes.js'

interface Shape {
  readonly kind: PrimitiveKind
  readonly label: string
  readonly method: 'statistics' | 'stats'
  readonly numbers: readonly string[]
  readonly booleans?: readonly string[]
  readonly alsoHas?: string
}

/** Most specific first: a TaskQueue's keys overlap a TaskSupervisor's, a guard's overlap nothing. */
const shapes: readonly Shape[] = [
  {
    kind: 'limiter',
    label: 'CapacityLimiter',
    method: 'statistics',
    numbers: ['totalTokens', 'borrowedTokens', 'waiting', 'maxWaiting', 'acquired', 'rejected'],
  },
  {
    kind: 'guard',
    label: 'OverloadGuard',
    method: 'stats',
    numbers: ['shed'],
    booleans: ['overloaded'],
    alsoHas: 'check',
  },
  {
    kind: 'pool',
    label: 'WorkerPool',
    method: 'stats',
    numbers: ['threads', 'busy', 'queued', 'completed', 'failed'],
  },
  {
    kind: 'batcher',
    label: 'Batcher',
    method: 'stats',
    numbers: ['batches', 'keys', 'pending', 'inFlightBatches'],
  },
  {
    kind: 'cache',
    label: 'TtlCache',
    method: 'stats',
    numbers: ['hits', 'misses', 'staleHits', 'loads', 'loadErrors', 'evictions', 'size'],
  },
  {
    kind: 'queue',
    label: 'TaskQueue',
    method: 'stats',
    numbers: ['waiting', 'active', 'completed', 'failed', 'retried', 'deadLetters'],
  },
  {
    kind: 'supervisor',
    label: 'TaskSupervisor',
    method: 'stats',
    numbers: ['active', 'started', 'succeeded', 'failed', 'aborted'],
  },
]

/** What `track()` recognised: the kind and how to read a fresh snapshot. */
export interface Recognised {
  readonly kind: PrimitiveKind
  readonly label: string
  readonly read: () => Record<string, unknown>
}

/**
 * Recognises a loopwork primitive by its shape: calls its `statistics()` or `stats()` once and checks
 * the fields. Throws `UnrecognisedPrimitiveError` naming every shape it knows otherwise.
 */
export function recognisePrimitive(primitive: unknown): Recognised {
  if (typeof primitive !== 'object' || primitive === null)
    throw unrecognised(describeValue(primitive))
  const target = primitive as Record<string, unknown>
  const snapshots = new Map<'statistics' | 'stats', Record<string, unknown> | undefined>()
  for (const shape of shapes) {
    if (typeof target[shape.method] !== 'function') continue
    if (shape.alsoHas !== undefined && typeof target[shape.alsoHas] !== 'function') continue
    if (!snapshots.has(shape.method)) snapshots.set(shape.method, readOnce(target, shape.method))
    const snapshot = snapshots.get(shape.method)
    if (snapshot !== undefined && matches(shape, snapshot)) {
      const method = shape.method
      const read = () => (target[method] as () => Record<string, unknown>).call(target)
      return { kind: shape.kind, label: shape.label, read }
    }
  }
  const seen = [...snapshots].map(([method, snapshot]) =>
    snapshot === undefined
      ? `${method}() returning no object`
      : `${method}() returning { ${Object.keys(snapshot).join(', ')} }`,
  )
  throw unrecognised(
    seen.length === 0
      ? 'an object with neither stats() nor statistics()'
      : `an object with ${seen.join(' and ')}`,
  )
}

function readOnce(
  target: Record<string, unknown>,
  method: string,
): Record<string, unknown> | undefined {
  const snapshot: unknown = (target[method] as () => unknown).call(target)
  return typeof snapshot === 'object' && snapshot !== null
    ? (snapshot as Record<string, unknown>)
    : undefined
}

function matches(shape: Shape, snapshot: Record<string, unknown>): boolean {
  return (
    shape.numbers.every((key) => typeof snapshot[key] === 'number') &&
    (shape.booleans ?? []).every((key) => typeof snapshot[key] === 'boolean')
  )
}

function unrecognised(got: string): UnrecognisedPrimitiveError {
  const expected = shapes
    .map((shape) => {
      const fields = [...shape.numbers, ...(shape.booleans ?? [])].join(', ')
      return `${shape.label} (${shape.method}() returning ${fields})`
    })
    .join('; ')
  return new UnrecognisedPrimitiveError(
    `track() recognises a loopwork primitive by its shape and expected one of: ${expected}; got ${got}`,
  )
}
