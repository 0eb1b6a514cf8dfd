import type { TtlCache } from '@loopwork/ttl-cache'
import type { CachedResponse } from './cached-response.js'
import { assertHasMethods, assertOptionsObject, describe, invalid } from './option-validation.js'

/** Options of the `responseCache` middleware/plugin of every adapter. */
export interface ResponseCacheOptions {
  /**
   * Where responses are kept, with its bounds and TTLs: `max`/`maxSize`, `ttlMs` (the default
   * lifetime; a response's own `s-maxage`/`max-age` overrides it) and `staleWhileRevalidateMs`.
   * Concurrent misses of one key run the handler once (single flight).
   *
   * @example
   * const cache = new TtlCache<string, CachedResponse>({ max: 1_000, ttlMs: 30_000, staleWhileRevalidateMs: 60_000 })
   * app.use(responseCache({ cache }))
   */
  readonly cache: TtlCache<string, CachedResponse>

  /**
   * Responses with a larger body are served but not stored, so one big download cannot evict the
   * rest of the cache. In bytes.
   *
   * @default 1_048_576 (1 MiB)
   * @example responseCache({ cache, maxBodyBytes: 256 * 1024 })
   */
  readonly maxBodyBytes?: number | undefined
}

/** The largest body stored unless told otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576

/** Checks the options of a response cache. */
export function resolveResponseCacheOptions(options: ResponseCacheOptions): {
  cache: TtlCache<string, CachedResponse>
  maxBodyBytes: number
} {
  assertOptionsObject('options', options)
  assertHasMethods('cache', options.cache, ['getOrLoadWithStatus', 'set'])
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw invalid(
      maxBodyBytes,
      `maxBodyBytes must be a whole number of bytes >= 0, got ${describe(maxBodyBytes)}`,
    )
  }
  return { cache: options.cache, maxBodyBytes }
}
