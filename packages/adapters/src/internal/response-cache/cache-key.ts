/**
 * The key of a request before `Vary` is known: method, path and query with its parameters sorted
 * by name (the order of repeated names is kept, since it can carry meaning), so `?b=2&a=1` and
 * `?a=1&b=2` share an entry.
 */
export function baseCacheKey(method: string, url: string): string {
  const query = url.indexOf('?')
  if (query === -1) return `${method} ${url}`
  const parameters = new URLSearchParams(url.slice(query + 1))
  parameters.sort()
  const sorted = parameters.toString()
  const path = url.slice(0, query)
  return sorted.length === 0 ? `${method} ${path}` : `${method} ${path}?${sorted}`
}

/**
 * The key of one variant: the base key plus the values of the request headers the response named
 * in `Vary` (lower-case, sorted), so `Accept-Language: de` and `fr` get separate entries.
 */
export function variantCacheKey(
  baseKey: string,
  varyHeaders: readonly string[],
  requestHeader: (name: string) => string | undefined,
): string {
  let key = baseKey
  for (const name of varyHeaders) key += `\n${name}: ${requestHeader(name) ?? ''}`
  return key
}

/**
 * The header names of a `Vary` response header, lower-case and sorted, or `'*'` when the response
 * varies on something a cache cannot see.
 */
export function parseVary(
  header: string | readonly string[] | undefined | null,
): readonly string[] | '*' {
  if (header === undefined || header === null) return []
  const text = typeof header === 'string' ? header : header.join(',')
  const names = new Set<string>()
  for (const part of text.split(',')) {
    const name = part.trim().toLowerCase()
    if (name === '*') return '*'
    if (name.length > 0) names.add(name)
  }
  return [...names].sort()
}

/**
 * The tag every cached response of `path` carries (all its query strings and `Vary` variants), so
 * one call drops them all when the resource changes:
 * `cache.invalidateTag(responseCacheTag('/items/42'))`. `path` is the request path without a query.
 */
export function responseCacheTag(path: string): string {
  const query = path.indexOf('?')
  return `response ${query === -1 ? path : path.slice(0, query)}`
}
