import {
  checkOptions,
  durationOption,
  functionOption,
  type InvalidOptionError,
  integerOption,
  invalidOption,
  nameOption,
  type OptionCheck,
  type OptionSchema,
  optionError,
  signalOption,
} from '@loopwork/internal'

/** A list of tags: an array of strings. */
export const tagsOption: OptionCheck<readonly string[]> = (option, value) => {
  if (Array.isArray(value) && value.every((tag) => typeof tag === 'string')) return value
  throw invalidOption(option, value, 'an array of strings')
}

/** A TTL: `Infinity` means "never expires". */
export const ttlOption = durationOption({ infinity: true })

/** A stale window: `Infinity` means "no limit". */
export const staleWindowOption = durationOption({ infinity: true })

/** `new TtlCache(options)`. */
export const ttlCacheSchema: OptionSchema = {
  name: nameOption,
  max: integerOption({ min: 1 }),
  maxSize: integerOption({ min: 1 }),
  sizeCalculation: functionOption,
  ttlMs: ttlOption,
  staleWhileRevalidateMs: staleWindowOption,
  // A failure remembered forever would never be retried, so no Infinity here.
  negativeTtlMs: durationOption(),
  // Infinity (like 0) turns the sweep off: no timer is started.
  sweepIntervalMs: durationOption({ infinity: true }),
}

/** `set(key, value, options)`. */
export const setSchema: OptionSchema = {
  ttlMs: ttlOption,
  staleWhileRevalidateMs: staleWindowOption,
  tags: tagsOption,
}

/** `getOrLoad(key, loader, options)` and `getOrLoadWithStatus`. */
export const getOrLoadSchema: OptionSchema = { ...setSchema, signal: signalOption }

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
 * {@link checkOptions}, with a hint when an unknown key is an lru-cache option that this package
 * deliberately does not support. Returns `input`; throws the shared option errors.
 *
 * @param what How the bag is called in messages, such as `TtlCache options`.
 */
export function checkCacheOptions<T extends object>(
  what: string,
  input: T | undefined,
  schema: OptionSchema,
): T | undefined {
  try {
    return checkOptions(what, input, schema)
  } catch (error) {
    throw withLruCacheHint(error, schema)
  }
}

function withLruCacheHint(error: unknown, schema: OptionSchema): unknown {
  const option = (error as Partial<InvalidOptionError>).option
  if (option === undefined || Object.hasOwn(schema, option)) return error
  const hint = Object.hasOwn(lruCacheOptions, option) ? lruCacheOptions[option] : undefined
  if (hint === undefined) return error
  return optionError(
    option,
    `${(error as Error).message}. "${option}" is an lru-cache option that this cache does not support: ${hint}`,
  )
}
