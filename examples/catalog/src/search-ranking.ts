/** One search result: the item's headline fields and how well it matched. */
export interface SearchHit {
  id: number
  name: string
  category: string
  priceCents: number
  score: number
}

/** The fields ranking reads from each row. */
export type RankedRow = Omit<SearchHit, 'score'>

/** Splits text into lower-case word tokens. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? []
}

/**
 * Similarity of two words from 0 to 1: 1 for equal words, 0.8 when one is a prefix of the other,
 * otherwise the Dice coefficient of their letter pairs (so "lamps" still finds "lamp" and
 * "chairs" finds "chair").
 */
export function wordSimilarity(left: string, right: string): number {
  if (left === right) return 1
  if (left.startsWith(right) || right.startsWith(left)) return 0.8
  if (left.length < 2 || right.length < 2) return 0
  const pairs = new Map<string, number>()
  for (let index = 0; index < left.length - 1; index++) {
    const pair = left.slice(index, index + 2)
    pairs.set(pair, (pairs.get(pair) ?? 0) + 1)
  }
  let shared = 0
  for (let index = 0; index < right.length - 1; index++) {
    const pair = right.slice(index, index + 2)
    const available = pairs.get(pair) ?? 0
    if (available > 0) {
      pairs.set(pair, available - 1)
      shared++
    }
  }
  return (2 * shared) / (left.length + right.length - 2)
}

/** A name match counts more than a category match. */
const nameWeight = 3
const categoryWeight = 2

/** Below this similarity a word does not count as a match at all. */
const matchThreshold = 0.6

/**
 * Ranks rows against a query and keeps the best `limit`, highest score first (ties by id, so
 * results are stable). Each query word scores its best weighted match in the row's name and
 * category; a row must match every query word. Tokenizing and scoring every row of the catalog
 * is the CPU cost that makes `/search` a job for the worker threads; similarities are remembered
 * per distinct word for the length of one call.
 *
 * @example
 * rankRows('oak chair', rows, 20)
 */
export function rankRows(query: string, rows: Iterable<RankedRow>, limit: number): SearchHit[] {
  const queryWords = tokenize(query)
  if (queryWords.length === 0) return []
  const similarities = queryWords.map(() => new Map<string, number>())
  const similarity = (queryIndex: number, word: string): number => {
    const known = similarities[queryIndex]!.get(word)
    if (known !== undefined) return known
    const computed = wordSimilarity(queryWords[queryIndex]!, word)
    const kept = computed >= matchThreshold ? computed : 0
    similarities[queryIndex]!.set(word, kept)
    return kept
  }
  const hits: SearchHit[] = []
  for (const row of rows) {
    const nameWords = tokenize(row.name)
    const categoryWords = tokenize(row.category)
    let total = 0
    for (let queryIndex = 0; queryIndex < queryWords.length; queryIndex++) {
      let best = 0
      for (const word of nameWords) best = Math.max(best, similarity(queryIndex, word) * nameWeight)
      for (const word of categoryWords) {
        best = Math.max(best, similarity(queryIndex, word) * categoryWeight)
      }
      if (best === 0) {
        total = 0
        break
      }
      total += best
    }
    if (total > 0) {
      hits.push({ ...row, score: Math.round(total * 1000) / 1000 })
    }
  }
  hits.sort((left, right) => right.score - left.score || left.id - right.id)
  return hits.slice(0, limit)
}
