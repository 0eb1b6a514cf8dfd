/**
 * The catalog's tables. WAL mode lets the worker threads read while the main thread writes orders,
 * and `synchronous = NORMAL` is the setting SQLite recommends with WAL (durable across application
 * crashes, one fsync per checkpoint rather than per commit).
 */
export const catalogSchema = `
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    stock INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    quantity INTEGER NOT NULL,
    email TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'placed',
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
`

/**
 * How long a connection waits for another one's write lock before failing. Two processes may open
 * the same file at once (the first seeds it while the second waits), and the worker threads read
 * while the main thread commits.
 */
export const busyTimeoutMs = 15_000
