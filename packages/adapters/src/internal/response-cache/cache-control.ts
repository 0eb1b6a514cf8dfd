import type { CacheDirectives } from '../../types.js'

const NONE: CacheDirectives = Object.freeze({
  noStore: false,
  noCache: false,
  private: false,
  maxAgeSeconds: undefined,
})

/**
 * Parses a `Cache-Control` header (request or response; several headers are joined). Unknown
 * directives are ignored and a malformed age counts as absent, as RFC 9111 asks of caches.
 */
export function parseCacheControl(
  header: string | readonly string[] | undefined | null,
): CacheDirectives {
  if (header === undefined || header === null || header.length === 0) return NONE
  const text = typeof header === 'string' ? header : header.join(',')
  let noStore = false
  let noCache = false
  let isPrivate = false
  let maxAge: number | undefined
  let sharedMaxAge: number | undefined
  for (const part of text.split(',')) {
    const equals = part.indexOf('=')
    const name = (equals === -1 ? part : part.slice(0, equals)).trim().toLowerCase()
    const value =
      equals === -1
        ? undefined
        : part
            .slice(equals + 1)
            .trim()
            .replace(/^"|"$/g, '')
    if (name === 'no-store') noStore = true
    else if (name === 'no-cache') noCache = true
    else if (name === 'private') isPrivate = true
    else if (name === 'max-age') maxAge = seconds(value)
    else if (name === 's-maxage') sharedMaxAge = seconds(value)
  }
  return { noStore, noCache, private: isPrivate, maxAgeSeconds: sharedMaxAge ?? maxAge }
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}
