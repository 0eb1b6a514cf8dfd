import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { busyTimeoutMs, catalogSchema } from './catalog-schema.js'
import { csvColumns, csvLine } from './csv-export.js'
import { OutOfStockError, UnknownItemError } from './errors.js'
import type { Item } from './item.js'
import { generateItems } from './item-generator.js'
import type { Order, OrderRequest } from './order.js'

/** Options of {@link CatalogDatabase.open}. */
export interface CatalogDatabaseOptions {
  /**
   * The SQLite file. Its folder is created when missing. Several processes may share one file.
   *
   * @example
   * { file: new URL('../data/catalog.sqlite', import.meta.url).pathname }
   */
  file: string
  /**
   * How many items an empty database is seeded with on first open.
   *
   * @default 100_000
   * @example
   * { seedRows: 1_000 }   // a quick test database
   */
  seedRows?: number
}

/** How many rows one `GET /export` slice reads: a slice is one short synchronous query (about a millisecond). */
export const exportSliceRows = 1_000

type OrderRow = Omit<Order, 'receiptSent' | 'status'> & { status: string; receipts: number }

/**
 * The catalog's connection on the main thread: seeding, order writes and the export's slices.
 * Reads that scan or look up many rows run in the worker threads instead (see `catalog-tasks.ts`).
 *
 * Writes stay here on purpose: a one-row insert in WAL mode takes microseconds, far less than a
 * round trip to a worker thread, and one writer avoids lock contention between threads.
 */
export class CatalogDatabase {
  /** The SQLite file this connection is open on; the worker tasks open it read-only. */
  readonly file: string
  readonly #database: DatabaseSync
  readonly #stockOf: StatementSync
  readonly #takeStock: StatementSync
  readonly #insertOrder: StatementSync
  readonly #insertReceipt: StatementSync
  readonly #markFulfilled: StatementSync
  readonly #orderById: StatementSync
  readonly #exportSlice: StatementSync
  #closed = false

  private constructor(file: string, database: DatabaseSync) {
    this.file = file
    this.#database = database
    this.#stockOf = database.prepare(
      'SELECT price_cents AS priceCents, stock FROM items WHERE id = ?',
    )
    this.#takeStock = database.prepare('UPDATE items SET stock = stock - ? WHERE id = ?')
    this.#insertOrder = database.prepare(
      'INSERT INTO orders (item_id, quantity, email, total_cents, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id',
    )
    this.#insertReceipt = database.prepare(
      'INSERT INTO outbox (order_id, recipient, subject, body, created_at) VALUES (?, ?, ?, ?, ?)',
    )
    this.#markFulfilled = database.prepare("UPDATE orders SET status = 'fulfilled' WHERE id = ?")
    this.#orderById = database.prepare(
      `SELECT o.id, o.item_id AS itemId, o.quantity, o.email, o.total_cents AS totalCents, o.status,
              o.created_at AS createdAt, (SELECT count(*) FROM outbox WHERE order_id = o.id) AS receipts
       FROM orders o WHERE o.id = ?`,
    )
    this.#exportSlice = database.prepare(
      'SELECT id, sku, name, category, price_cents AS priceCents, stock FROM items WHERE id > ? ORDER BY id LIMIT ?',
    )
  }

  /**
   * Opens (and on first use creates and seeds) the catalog database.
   *
   * @example
   * const database = CatalogDatabase.open({ file: 'data/catalog.sqlite' })
   */
  static open(options: CatalogDatabaseOptions): CatalogDatabase {
    mkdirSync(dirname(options.file), { recursive: true })
    const database = new DatabaseSync(options.file, { timeout: busyTimeoutMs })
    database.exec(catalogSchema)
    seedWhenEmpty(database, options.seedRows ?? 100_000)
    return new CatalogDatabase(options.file, database)
  }

  /** How many items the catalog holds. */
  itemCount(): number {
    const row = this.#database.prepare('SELECT count(*) AS count FROM items').get() as {
      count: number
    }
    return row.count
  }

  /**
   * Places an order in one transaction: checks the stock, takes it, records the order, and runs
   * `alsoWrite` (the order's follow-up job, say) on this connection inside the same transaction
   * before it commits. Throws {@link UnknownItemError}, {@link OutOfStockError} or whatever
   * `alsoWrite` throws, leaving the database unchanged: the order and what `alsoWrite` wrote are
   * committed together or not at all.
   *
   * @example
   * database.placeOrder(request, (connection, order) =>
   *   queue.addInTransaction(connection, 'fulfilOrder', { orderId: order.id }),
   * )
   */
  placeOrder(
    request: OrderRequest,
    alsoWrite?: (connection: DatabaseSync, order: Order) => void,
  ): Order {
    this.#database.exec('BEGIN IMMEDIATE')
    try {
      const item = this.#stockOf.get(request.itemId) as
        | Pick<Item, 'priceCents' | 'stock'>
        | undefined
      if (item === undefined) throw new UnknownItemError(request.itemId)
      if (item.stock < request.quantity) {
        throw new OutOfStockError(request.itemId, request.quantity, item.stock)
      }
      const totalCents = item.priceCents * request.quantity
      const createdAt = new Date().toISOString()
      this.#takeStock.run(request.quantity, request.itemId)
      const { id } = this.#insertOrder.get(
        request.itemId,
        request.quantity,
        request.email,
        totalCents,
        createdAt,
      ) as { id: number }
      const order: Order = {
        id,
        ...request,
        totalCents,
        status: 'placed',
        createdAt,
        receiptSent: false,
      }
      alsoWrite?.(this.#database, order)
      this.#database.exec('COMMIT')
      return order
    } catch (error) {
      this.#database.exec('ROLLBACK')
      throw error
    }
  }

  /** Writes the order's receipt e-mail to the outbox table, where a mail relay would pick it up. */
  writeReceipt(order: Order): void {
    const body = `Thank you for your order #${order.id}: ${order.quantity} x item ${order.itemId}, ${(order.totalCents / 100).toFixed(2)} EUR.`
    this.#insertReceipt.run(
      order.id,
      order.email,
      `Your order #${order.id}`,
      body,
      new Date().toISOString(),
    )
  }

  /** Marks an order fulfilled (the queued follow-up's last step). */
  markFulfilled(orderId: number): void {
    this.#markFulfilled.run(orderId)
  }

  /** One order with its status and whether its receipt was written, or `undefined`. */
  order(orderId: number): Order | undefined {
    const row = this.#orderById.get(orderId) as OrderRow | undefined
    if (row === undefined) return undefined
    const { receipts, status, ...order } = row
    return { ...order, status: status as Order['status'], receiptSent: receipts > 0 }
  }

  /**
   * The whole catalog as CSV text, one slice of {@link exportSliceRows} rows per chunk. Each slice is a
   * separate short query (keyset pagination), so no statement or read transaction stays open while
   * the consumer waits for a slow client. Between slices it yields a turn of the event loop: a fast
   * client never makes the socket push back, and without the yield the whole export would run as
   * one unbroken chain of microtasks, holding every other request for its full length.
   */
  async *exportCsv(): AsyncGenerator<string> {
    yield `${csvColumns.join(',')}\r\n`
    let lastId = 0
    while (true) {
      const rows = this.#exportSlice.all(lastId, exportSliceRows) as unknown as Item[]
      if (rows.length === 0) return
      let chunk = ''
      for (const row of rows) chunk += csvLine(row)
      lastId = rows[rows.length - 1]!.id
      yield chunk
      await nextTurn()
    }
  }

  /** Closes the connection; a second call does nothing. */
  close(): void {
    // Not `isOpen`, which Node 22.13 to 22.15 lack.
    if (this.#closed) return
    this.#closed = true
    this.#database.close()
  }
}

/**
 * Seeds an empty catalog in one immediate transaction: a second process opening the same new file
 * waits for the lock, then finds the rows and seeds nothing.
 */
function seedWhenEmpty(database: DatabaseSync, rows: number): void {
  database.exec('BEGIN IMMEDIATE')
  try {
    const { count } = database.prepare('SELECT count(*) AS count FROM items').get() as {
      count: number
    }
    if (count === 0) {
      const insert = database.prepare(
        'INSERT INTO items (id, sku, name, category, description, price_cents, stock) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      for (const item of generateItems(rows)) {
        insert.run(
          item.id,
          item.sku,
          item.name,
          item.category,
          item.description,
          item.priceCents,
          item.stock,
        )
      }
    }
    database.exec('COMMIT')
  } catch (error) {
    database.exec('ROLLBACK')
    throw error
  }
}
