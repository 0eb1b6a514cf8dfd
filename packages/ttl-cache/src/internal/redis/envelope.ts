/**
 * A stored value carries its tags, so an instance that reads it from Redis (rather than loading it)
 * indexes it under the right tags in memory and evicts it on a tag invalidation. Layout: the tags as a
 * JSON array (empty when there are none), a newline, then the serialized value. JSON escapes newlines,
 * so the first newline always ends the tags.
 */
export function encodeEnvelope(tags: readonly string[] | undefined, payload: string): string {
  return `${tags === undefined || tags.length === 0 ? '' : JSON.stringify(tags)}\n${payload}`
}

/** Splits a stored envelope; `undefined` when it is not one of ours. */
export function decodeEnvelope(
  text: string,
): { tags: readonly string[] | undefined; payload: string } | undefined {
  const end = text.indexOf('\n')
  if (end === -1) return undefined
  const head = text.slice(0, end)
  const tags = head === '' ? undefined : (JSON.parse(head) as unknown)
  if (tags !== undefined && !isTagList(tags)) return undefined
  return { tags, payload: text.slice(end + 1) }
}

function isTagList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((tag) => typeof tag === 'string')
}
