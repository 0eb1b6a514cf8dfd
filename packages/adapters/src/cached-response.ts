import { parseCacheControl } from './cache-control.js'
import { parseVary } from './cache-key.js'

/** A response as the response cache stores it in the TtlCache. */
export interface StoredResponse {
  readonly kind: 'response'
  /** Always 200: only 200s are stored. */
  readonly status: number
  /** The response's headers, without hop-by-hop ones, `date`, `content-length` and `x-cache`. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>
  readonly body: Uint8Array
}

/**
 * Stored under a request's base key once its responses turned out to vary on request headers:
 * the header names to build the variant's key from.
 */
export interface VaryMarker {
  readonly kind: 'vary'
  readonly headers: readonly string[]
}

/** The values the response cache keeps in its TtlCache: `TtlCache<string, CachedResponse>`. */
export type CachedResponse = StoredResponse | VaryMarker

/** What an adapter captured of the response a handler produced. */
export interface CapturedResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | number | readonly string[] | undefined>>
  /** The whole body, or `undefined` when it could not be kept (streamed, or over `maxBodyBytes`). */
  readonly body: Uint8Array | undefined
}

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
