import * as option from '@loopwork/internal/options'

/** A list of tags: an array of strings. */
export const tagsOption: option.Check<readonly string[]> = (name, value) => {
  if (Array.isArray(value) && value.every((tag) => typeof tag === 'string')) return value
  throw option.invalid(name, value, 'an array of strings')
}

/** A TTL: `Infinity` means "never expires". */
export const ttlOption = option.duration({ infinity: true })

/** A stale window: `Infinity` means "no limit". */
export const staleWindowOption = option.duration({ infinity: true })

/** `new TtlCache(options)`. */
export const ttlCacheSchema: option.Schema = {
  name: option.name,
  max: option.integer({ min: 1 }),
  maxSize: option.integer({ min: 1 }),
  sizeCalculation: option.function,
  ttlMs: ttlOption,
  staleWhileRevalidateMs: staleWindowOption,
  // A failure remembered forever would never be retried, so no Infinity here.
  negativeTtlMs: option.duration(),
  // Infinity (like 0) turns the sweep off: no timer is started.
  sweepIntervalMs: option.duration({ infinity: true }),
}

/** `set(key, value, options)`. */
export const setSchema: option.Schema = {
  ttlMs: ttlOption,
  staleWhileRevalidateMs: staleWindowOption,
  tags: tagsOption,
}

/** `getOrLoad(key, loader, options)` and `getOrLoadWithStatus`. */
export const getOrLoadSchema: option.Schema = { ...setSchema, signal: option.signal }

/**
 * Why a known lru-cache option is refused, for the message: someone used to lru-cache will reach for
 * these names, and a bare "unknown option" would not tell them what to do instead.
 */
const lruCacheOptions: Readonly<Record<string, string>> = {
  ttl: 'durations are in milliseconds and end in Ms (ttlMs)',
  ttlAutopurge:
    'expired entries are removed when read, and by one sweep timer per cache (sweepIntervalMs)',
  ttlResolution: 'the clock is read at most once per millisecond',
  updateAgeOnGet: "reads never extend an entry's TTL; set() the value again to extend it",
  updateAgeOnHas: "has() never extends an entry's TTL; set() the value again to extend it",
  noUpdateTTL: 'every set() starts a new TTL; pass ttlMs per call',
  allowStale:
    'use staleWhileRevalidateMs: an expired value is served while one background refresh runs',
  noDeleteOnStaleGet: 'use staleWhileRevalidateMs: a stale value stays until its window ends',
  allowStaleOnFetchRejection:
    'a failed background refresh keeps the stale value until staleWhileRevalidateMs ends',
  allowStaleOnFetchAbort:
    'a failed background refresh keeps the stale value until staleWhileRevalidateMs ends',
  noDeleteOnFetchRejection:
    'a failed background refresh keeps the stale value until staleWhileRevalidateMs ends',
  ignoreFetchAbort:
    "a caller's signal ends only its own wait; the load stops when nobody waits any more",
  fetchMethod: 'pass the loader to getOrLoad(), or wrap the function with cached()',
  memoMethod: 'pass the loader to getOrLoad(), or wrap the function with cached()',
  dispose: 'listen to the evict event',
  disposeAfter: 'listen to the evict event',
  noDisposeOnSet: 'listen to the evict event',
  onInsert: 'wrap set() or the loader',
  maxEntrySize: 'an entry larger than maxSize on its own is not stored',
  forceRefresh: 'delete() the key, then call getOrLoad()',
  status: 'use getOrLoadWithStatus()',
  context: 'close over what the loader needs',
  perf: 'the cache reads performance.now() itself',
}

/**
 * {@link option.check}, with a hint when an unknown key is an lru-cache option that this package
 * deliberately does not support. Returns `input`; throws the shared option errors.
 *
 * @param what How the bag is called in messages, such as `TtlCache options`.
 */
export function checkCacheOptions<T extends object>(
  what: string,
  input: T | undefined,
  schema: option.Schema,
): T | undefined {
  try {
    return option.check(what, input, schema)
  } catch (error) {
    throw withLruCacheHint(error, schema)
  }
}

function withLruCacheHint(error: unknown, schema: option.Schema): unknown {
  const name = (error as Partial<option.InvalidError>).option
  if (name === undefined || Object.hasOwn(schema, name)) return error
  const hint = Object.hasOwn(lruCacheOptions, name) ? lruCacheOptions[name] : undefined
  if (hint === undefined) return error
  return option.error(
    name,
    `${(error as Error).message}. "${name}" is an lru-cache option that this cache does not support: ${hint}`,
  )
}
