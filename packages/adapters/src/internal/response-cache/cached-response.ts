import type { CachedResponse, CapturedResponse, StoredResponse } from '../../types.js'
import { parseCacheControl } from './cache-control.js'
import { parseVary } from './cache-key.js'

/** How to store a captured response, or the reason not to. */
export type StorageDecision =
  | { readonly store: true; readonly ttlMs: number | undefined; readonly vary: readonly string[] }
  | { readonly store: false; readonly reason: string }

/**
 * Decides whether a response may be stored: only a 200 with its whole body, without `no-store`,
 * `no-cache`, `private` or `max-age=0`, without `Set-Cookie` (one user's cookie must never reach
 * another) and without `Vary: *`. Its `s-maxage`/`max-age` becomes the entry's TTL.
 */
export function storageDecision(captured: CapturedResponse): StorageDecision {
  if (captured.status !== 200) return { store: false, reason: `status ${captured.status}` }
  if (captured.body === undefined) return { store: false, reason: 'body streamed or too large' }
  const directives = parseCacheControl(headerText(captured.headers['cache-control']))
  if (directives.noStore) return { store: false, reason: 'cache-control: no-store' }
  if (directives.private) return { store: false, reason: 'cache-control: private' }
  if (directives.noCache) return { store: false, reason: 'cache-control: no-cache' }
  if (directives.maxAgeSeconds === 0) return { store: false, reason: 'cache-control: max-age=0' }
  if (captured.headers['set-cookie'] !== undefined) return { store: false, reason: 'set-cookie' }
  const vary = parseVary(headerText(captured.headers.vary))
  if (vary === '*') return { store: false, reason: 'vary: *' }
  const ttlMs = directives.maxAgeSeconds === undefined ? undefined : directives.maxAgeSeconds * 1000
  return { store: true, ttlMs, vary }
}

const NOT_STORED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'date',
  'content-length',
  'x-cache',
  'set-cookie',
])

/** The headers to keep with a stored response. */
export function storedResponse(captured: CapturedResponse, body: Uint8Array): StoredResponse {
  const headers: Record<string, string | readonly string[]> = {}
  for (const [name, value] of Object.entries(captured.headers)) {
    const lower = name.toLowerCase()
    if (value === undefined || NOT_STORED.has(lower)) continue
    headers[lower] = typeof value === 'number' ? String(value) : value
  }
  return { kind: 'response', status: captured.status, headers, body }
}

/**
 * The size of a cached value in bytes, roughly, for a TtlCache bounded by `maxSize`.
 *
 * @example new TtlCache<string, CachedResponse>({ maxSize: 64 * 1024 * 1024, sizeCalculation: cachedResponseSize, ttlMs: 30_000 })
 */
export function cachedResponseSize(value: CachedResponse): number {
  if (value.kind === 'vary') return 64
  let size = value.body.byteLength + 64
  for (const [name, header] of Object.entries(value.headers)) {
    size += name.length + (typeof header === 'string' ? header.length : header.join('').length)
  }
  return size
}

function headerText(
  value: string | number | readonly string[] | undefined,
): string | readonly string[] | undefined {
  return typeof value === 'number' ? String(value) : value
}
