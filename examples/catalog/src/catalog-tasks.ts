// The worker-thread module of the catalog: plain exported functions a WorkerPool runs by name.
// node:sqlite's DatabaseSync blocks the thread that calls it, which is exactly why these queries
// run here and not on the event loop. Each worker thread opens its own read-only connection.
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { busyTimeoutMs } from './catalog-schema.js'
import { type Item, itemColumns } from './item.js'
import { type RankedRow, rankRows, type SearchHit } from './search-ranking.js'

interface ReadConnection {
  /**
   * Kept referenced: on Node 22.13 to 22.15 a statement does not keep its connection alive, and a
   * connection collected as garbage finalizes its statements ("statement has been finalized").
   */
  database: DatabaseSync
  itemsByIds: StatementSync
  rankedRows: StatementSync
}

/** One read-only connection per database file per thread, opened on first use. */
const connections = new Map<string, ReadConnection>()

function connectionTo(file: string): ReadConnection {
  let connection = connections.get(file)
  if (connection === undefined) {
    const database = new DatabaseSync(file, { readOnly: true, timeout: busyTimeoutMs })
    connection = {
      database,
      // One query per batch: the ids travel as a JSON array and json_each turns them into rows.
      itemsByIds: database.prepare(
        `SELECT ${itemColumns} FROM items WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      rankedRows: database.prepare(
        'SELECT id, name, category, price_cents AS priceCents FROM items',
      ),
    }
    connections.set(file, connection)
  }
  return connection
}

/**
 * Looks up a batch of items by id in one query. The result is aligned with `ids`: `null` where no
 * item has that id (the Batcher hands each caller its own position).
 */
export function itemsByIds(file: string, ids: readonly number[]): Array<Item | null> {
  const rows = connectionTo(file).itemsByIds.all(JSON.stringify(ids)) as unknown as Item[]
  const byId = new Map<number, Item>()
  for (const row of rows) byId.set(row.id, { ...row })
  return ids.map((id) => byId.get(id) ?? null)
}

/**
 * Fuzzy search: scans every item (a blocking query) and ranks it with a per-word score, returning
 * the best `limit` hits. About a hundred milliseconds of blocking work per call on a small machine.
 */
export function searchItems(file: string, query: string, limit: number): SearchHit[] {
  return rankRows(query, connectionTo(file).rankedRows.iterate() as Iterable<RankedRow>, limit)
}

/** What `GET /search` answers: the query and its best hits. */
export interface SearchResults {
  query: string
  hits: SearchHit[]
}

/** `GET /search?q=` as one task, so an offloaded route handler can answer its result as it is. */
export function search(file: string, query: string, limit: number): SearchResults {
  return { query, hits: searchItems(file, query, limit) }
}
