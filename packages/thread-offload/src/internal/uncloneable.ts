import { describeValue } from '@loopwork/internal'

/**
 * Finds what makes a value fail structured clone, for an error that says where it sits. The
 * platform's own `DataCloneError` names the value (`() => 1 could not be cloned.`) but not where
 * it was, which in a large argument or result leaves the user searching. Runs only after a clone
 * failed, so it may clone subtrees again to narrow the search down.
 */

/** Where the value that structured clone refuses sits, and what it is. */
export interface UncloneableSpot {
  /** Its path from the root, such as `args[0].onDone` or `result.rows[3]`. */
  readonly path: string
  /** What it is, such as `a function (onDone)`. */
  readonly found: string
}

/** Deeper than this, the search reports the subtree it reached. */
const MAX_DEPTH = 32
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/**
 * The first place in `value` structured clone refuses, named from `root`; `undefined` when the
 * value clones (then something else failed, such as the transfer list).
 */
export function findUncloneable(value: unknown, root: string): UncloneableSpot | undefined {
  if (clones(value)) return undefined
  return narrowDown(value, root, new Set(), 0)
}

function narrowDown(
  value: unknown,
  path: string,
  visited: Set<unknown>,
  depth: number,
): UncloneableSpot {
  if (typeof value === 'object' && value !== null && depth < MAX_DEPTH) {
    visited.add(value)
    for (const [childPath, child] of children(value, path)) {
      if (visited.has(child) || clones(child)) continue
      return narrowDown(child, childPath, visited, depth + 1)
    }
  }
  return { path, found: describeValue(value) }
}

/** The parts structured clone copies, with their paths. */
function* children(value: object, path: string): Generator<[string, unknown]> {
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) yield [`${path}[${index}]`, value[index]]
    return
  }
  if (value instanceof Map) {
    let index = 0
    for (const [key, entry] of value) {
      yield [`${path}.keys()[${index}]`, key]
      yield [`${path}.get(${describeValue(key)})`, entry]
      index++
    }
    return
  }
  if (value instanceof Set) {
    let index = 0
    for (const entry of value) yield [`${path}.values()[${index++}]`, entry]
    return
  }
  for (const key of Object.keys(value)) {
    const childPath = IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
    yield [childPath, (value as Record<string, unknown>)[key]]
  }
}

function clones(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return typeof value !== 'symbol'
  }
  try {
    structuredClone(value)
    return true
  } catch {
    return false
  }
}
