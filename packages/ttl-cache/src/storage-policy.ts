import { assertDuration, assertOptionalDuration, assertOptionalTags } from './option-validation.js'
import type { SetOptions } from './ttl-cache-options.js'

/** How long a value stays fresh and stale, and its tags: a call's options over the cache's defaults. */
export interface StoragePolicy {
  readonly ttlMs: number
  readonly staleWhileRevalidateMs: number
  readonly tags: readonly string[] | undefined
}

/** The cache-wide defaults, validated once. */
export function defaultPolicy(ttlMs: unknown, staleWhileRevalidateMs: unknown): StoragePolicy {
  return {
    ttlMs: assertDuration('ttlMs', ttlMs),
    staleWhileRevalidateMs: assertDuration(
      'staleWhileRevalidateMs',
      staleWhileRevalidateMs === undefined ? 0 : staleWhileRevalidateMs,
    ),
    tags: undefined,
  }
}

/** Validates one call's options (throwing an error that names the bad one) and fills in the defaults. */
export function resolvePolicy(
  options: SetOptions | undefined,
  defaults: StoragePolicy,
): StoragePolicy {
  if (options === undefined) return defaults
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`options must be an object, got ${String(options)}`)
  }
  const ttlMs = assertOptionalDuration('options.ttlMs', options.ttlMs)
  const staleMs = assertOptionalDuration(
    'options.staleWhileRevalidateMs',
    options.staleWhileRevalidateMs,
  )
  const tags = assertOptionalTags('options.tags', options.tags)
  if (ttlMs === undefined && staleMs === undefined && tags === undefined) return defaults
  return {
    ttlMs: ttlMs ?? defaults.ttlMs,
    staleWhileRevalidateMs: staleMs ?? defaults.staleWhileRevalidateMs,
    tags: tags === undefined ? undefined : Object.freeze([...tags]),
  }
}
