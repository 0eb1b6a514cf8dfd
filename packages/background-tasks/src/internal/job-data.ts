import { JobDataError } from '../errors.js'

/** The objects above the value being checked (to find cycles) and the keys leading to it (for the message). */
interface Walk {
  readonly ancestors: object[]
  readonly pathKeys: (string | number)[]
  busy: boolean
}

// One shared walk serves every check without a per-call allocation; it is emptied on every exit. A
// getter in the data could re-enter the check, so a nested call gets a fresh walk.
const sharedWalk: Walk = { ancestors: [], pathKeys: [], busy: false }
/** For a top-level primitive, which pushes nothing. */
const topLevel: Walk = { ancestors: [], pathKeys: [], busy: false }

/**
 * Throws `JobDataError` unless `data` survives `JSON.stringify` + `JSON.parse` unchanged: only
 * `null`, booleans, finite numbers, strings, arrays and plain objects, without cycles. A property
 * set to `undefined` is refused too: JSON drops the key, so a handler checking `'key' in data` or
 * `Object.keys(data)` would see something else after a move to BullMQ.
 */
export function assertJsonData(jobName: string, data: unknown): void {
  if (data === null || typeof data !== 'object') {
    visitValue(topLevel, jobName, data)
    return
  }
  const walk: Walk = sharedWalk.busy ? { ancestors: [], pathKeys: [], busy: true } : sharedWalk
  walk.busy = true
  try {
    visitObject(walk, jobName, data)
  } finally {
    walk.ancestors.length = 0
    walk.pathKeys.length = 0
    walk.busy = false
  }
}

function visitValue(walk: Walk, jobName: string, value: unknown): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (Number.isFinite(value)) return
      throw failure(walk, jobName, `is ${value}, which JSON turns into null`)
    case 'object':
      if (value !== null) visitObject(walk, jobName, value)
      return
    case 'undefined':
      // Only array items reach here; a property set to undefined is refused by visitObject.
      throw failure(walk, jobName, 'is undefined, which JSON turns into null')
    case 'bigint':
      throw failure(walk, jobName, 'is a BigInt, which JSON cannot represent; pass it as a string')
    case 'function':
      throw failure(walk, jobName, 'is a function, which JSON drops; jobs carry data, not code')
    default:
      throw failure(walk, jobName, `is a ${typeof value}, which JSON drops`)
  }
}

function visitObject(walk: Walk, jobName: string, value: object): void {
  if (walk.ancestors.includes(value)) {
    throw failure(walk, jobName, 'refers back to an object that contains it (a cycle)')
  }
  walk.ancestors.push(value)
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      walk.pathKeys.push(index)
      visitValue(walk, jobName, value[index])
      walk.pathKeys.pop()
    }
  } else {
    assertPlainObject(walk, jobName, value)
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      walk.pathKeys.push(key)
      const property = record[key]
      if (property === undefined) throw failure(walk, jobName, 'is undefined, which JSON drops')
      visitValue(walk, jobName, property)
      walk.pathKeys.pop()
    }
  }
  walk.ancestors.pop()
}

function assertPlainObject(walk: Walk, jobName: string, value: object): void {
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) {
    const kind = (prototype?.constructor as { name?: string } | undefined)?.name || 'class'
    if (value instanceof Date) {
      throw failure(
        walk,
        jobName,
        'is a Date, which JSON turns into a string; pass date.toISOString()',
      )
    }
    throw failure(
      walk,
      jobName,
      `is a ${kind} instance, which JSON turns into a plain object or drops; pass plain objects and arrays`,
    )
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    throw failure(
      walk,
      jobName,
      'has a toJSON method, so JSON would store something else; pass the plain data',
    )
  }
}

function failure(walk: Walk, jobName: string, problem: string): JobDataError {
  let path = 'data'
  for (const key of walk.pathKeys) {
    path +=
      typeof key === 'number'
        ? `[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(key)
          ? `.${key}`
          : `[${JSON.stringify(key)}]`
  }
  return new JobDataError(jobName, path, problem)
}
