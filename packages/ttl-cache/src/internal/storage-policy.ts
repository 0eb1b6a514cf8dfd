import type { SetOptions } from '../types.js'

/** How long a value stays fresh and stale, and its tags: a call's options over the cache's defaults. */
export interface StoragePolicy {
  readonly ttlMs: number
  readonly staleWhileRevalidateMs: number
  readonly tags: readonly string[] | undefined
}

/**
 * Fills in the defaults for one call's options, which were checked already. Options that change
 * nothing return `defaults` itself, so the common call allocates nothing.
 */
export function resolvePolicy(
  options: SetOptions | undefined,
  defaults: StoragePolicy,
): StoragePolicy {
  if (options === undefined) return defaults
  const { ttlMs, staleWhileRevalidateMs, tags } = options
  const taggedWith = tags === undefined || tags.length === 0 ? undefined : tags
  if (ttlMs === undefined && staleWhileRevalidateMs === undefined && taggedWith === undefined)
    return defaults
  return {
    ttlMs: ttlMs ?? defaults.ttlMs,
    staleWhileRevalidateMs: staleWhileRevalidateMs ?? defaults.staleWhileRevalidateMs,
    // A copy: the caller may reuse and change its array after the call.
    tags: taggedWith === undefined ? undefined : Object.freeze([...taggedWith]),
  }
}
