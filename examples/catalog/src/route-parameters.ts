import { InvalidItemIdError, InvalidQueryError } from './errors.js'

/** The longest search query accepted: a bound on the work one request can ask for. */
export const maximumQueryLength = 200

/** Parses a path id such as `/items/:id`, or throws {@link InvalidItemIdError}. */
export function parseId(text: string | undefined, what = 'item id'): number {
  const id = Number(text)
  if (text === undefined || !/^\d{1,15}$/.test(text) || !Number.isSafeInteger(id) || id < 1) {
    throw new InvalidItemIdError(text, what)
  }
  return id
}

/** Checks `GET /search?q=`: a non-empty query of at most {@link maximumQueryLength} characters. */
export function parseSearchQuery(query: unknown): string {
  if (typeof query !== 'string' || query.trim().length === 0) {
    throw new InvalidQueryError('q must be a non-empty search text, e.g. /search?q=oak+chair')
  }
  if (query.length > maximumQueryLength) {
    throw new InvalidQueryError(
      `q must be at most ${maximumQueryLength} characters, got ${query.length}`,
    )
  }
  return query
}
