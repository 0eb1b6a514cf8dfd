import { setTimeout as sleep } from 'node:timers/promises'
import { type CachedResponse, responseCacheTag } from '@loopwork/adapters'
import { type CloseReport, type JobHandler, TaskSupervisor } from '@loopwork/background-tasks'
import { TaskQueue } from '@loopwork/background-tasks/sqlite'
import { Batcher } from '@loopwork/batcher'
import { CapacityLimiter } from '@loopwork/limiter'
import {
  createMetrics,
  createOverloadGuard,
  type Metrics,
  type OverloadGuard,
} from '@loopwork/metrics'
import { currentDefaultThreadLimiter, WorkerPool } from '@loopwork/thread-offload'
import { TtlCache } from '@loopwork/ttl-cache'
import { CatalogDatabase } from './catalog-database.js'
import { UnknownItemError, UnknownOrderError } from './errors.js'
import type { Item } from './item.js'
import { type Order, parseOrderRequest } from './order.js'
import { parseId, parseSearchQuery } from './route-parameters.js'

/** The worker module's type, so `pool.run` is checked against its exports. */
export type CatalogTasks = typeof import('./catalog-tasks.js')

/** The follow-up jobs of an order. */
export type FollowUpHandlers = { fulfilOrder: JobHandler<{ orderId: number }, void> }

/** Options of {@link CatalogService.open}. */
export interface CatalogServiceOptions {
  /**
   * The SQLite file; created and seeded on first start.
   *
   * @example
   * { databaseFile: fileURLToPath(new URL('../data/catalog.sqlite', import.meta.url)) }
   */
  databaseFile: string
  /**
   * Items seeded into a new database.
   *
   * @default 100_000
   */
  seedRows?: number
  /**
   * Where the service reports what it does on its own: failed background work, blocked event-loop
   * episodes, shed load.
   *
   * @default console.error
   */
  log?: (line: string) => void
  /**
   * How long a fulfilment takes: it stands in for a call to the warehouse's API.
   *
   * @default 20
   * @example
   * { fulfilmentMs: 5_000 }   // a slow warehouse, to watch a shutdown hit its deadline
   */
  fulfilmentMs?: number
  /**
   * How many fulfilments may wait in the queue; past it, new orders are refused (503) rather than
   * accepted with a fulfilment that could not be queued.
   *
   * @default 10_000
   * @example
   * { maxWaitingFulfilments: 100 }
   */
  maxWaitingFulfilments?: number
}

/** How many results `GET /search` returns. */
export const searchResultLimit = 20

/**
 * The catalog service without its HTTP framework: the database, the worker-thread pool its
 * queries run in, the item batcher, the response cache, the background work and the metrics.
 * The Express, Fastify and Hono services only map routes to these members.
 */
export class CatalogService {
  /** The main-thread connection: orders, receipts, the export. */
  readonly database: CatalogDatabase
  /** Worker threads for the blocking queries (node:sqlite is synchronous) and the CPU-heavy search. */
  readonly pool: WorkerPool<CatalogTasks>
  /** Collects `GET /items/:id` lookups for a few milliseconds and answers them from one query. */
  readonly items: Batcher<number, Item | null>
  /** Admits `GET /search` (CPU work in the pool); past its queue it answers 503. */
  readonly searchRoutes: CapacityLimiter
  /**
   * Admits `GET /export`, apart from search: an export holds its token while a slow client reads
   * 100,000 lines, so with one shared limiter a few slow export readers would starve search.
   */
  readonly exportRoutes: CapacityLimiter
  /** The response cache of `GET /items/:id`. */
  readonly responseCache: TtlCache<string, CachedResponse>
  /**
   * Slower follow-ups of an order (fulfilment), with retries, in the catalog's own SQLite file: a
   * fulfilment is written in the order's transaction, survives a crash or a restart, and runs at
   * least once.
   */
  readonly followUps: TaskQueue<FollowUpHandlers>
  /** Fire-and-forget work of the service itself (cache warm-up), never losing an error. */
  readonly supervisor: TaskSupervisor
  /** Prometheus metrics of requests, the event loop and every primitive above. */
  readonly metrics: Metrics
  /** Sheds load (503 + Retry-After) while the event loop is overloaded. */
  readonly overloadGuard: OverloadGuard
  readonly #log: (line: string) => void
  #followUpsReport: CloseReport | undefined

  private constructor(options: CatalogServiceOptions, database: CatalogDatabase) {
    this.#log = options.log ?? ((line) => console.error(line))
    this.database = database
    this.pool = new WorkerPool<CatalogTasks>({
      module: new URL('./catalog-tasks.js', import.meta.url),
      name: 'catalog-queries',
    })
    this.items = new Batcher<number, Item | null>(
      (ids, { signal }) => this.pool.run('itemsByIds', [database.file, ids], { signal }),
      { name: 'items', windowMs: 2, maxBatchSize: 500 },
    )
    this.searchRoutes = new CapacityLimiter({
      name: 'search-routes',
      totalTokens: 16,
      maxWaiting: 64,
    })
    this.exportRoutes = new CapacityLimiter({
      name: 'export-routes',
      totalTokens: 4,
      maxWaiting: 16,
    })
    this.responseCache = new TtlCache<string, CachedResponse>({
      name: 'item-responses',
      max: 10_000,
      ttlMs: 30_000,
    })
    const fulfilmentMs = options.fulfilmentMs ?? 20
    this.followUps = new TaskQueue<FollowUpHandlers>({
      file: database.file,
      name: 'order-follow-ups',
      // The catalog's connection commits with synchronous=NORMAL (see catalog-schema.ts), and the
      // fulfilment jobs commit with it: an order and its job survive a crash of the process, and a
      // power loss may undo both of the last ones together.
      synchronous: 'NORMAL',
      concurrency: 4,
      maxWaiting: options.maxWaitingFulfilments ?? 10_000,
      retries: 3,
      backoff: { type: 'exponential', delayMs: 100, jitter: true },
      timeoutMs: 10_000 + fulfilmentMs,
      lockDurationMs: 30_000 + fulfilmentMs,
      handlers: {
        // At least once: a fulfilment cut off by a crash or a shutdown runs again, so it is
        // idempotent (marking an order fulfilled twice changes nothing).
        fulfilOrder: async (job: { orderId: number }, context) => {
          // Stands in for a call to the warehouse's API.
          await sleep(fulfilmentMs, undefined, { signal: context.signal })
          database.markFulfilled(job.orderId)
        },
      },
      onError: (error, job) =>
        this.#log(`follow-up ${job.name} ${job.id} failed: ${String(error)}`),
    })
    this.supervisor = new TaskSupervisor({
      name: 'catalog',
      onError: (error, task) => this.#log(`task ${task.name} failed: ${String(error)}`),
    })
    this.metrics = createMetrics({ prefix: 'catalog_' })
    this.overloadGuard = createOverloadGuard({ maxEventLoopDelayMs: 300, retryAfterSeconds: 2 })
    this.#track()
  }

  /**
   * Opens (and on first start seeds) the database and starts the pool, caches, queues and metrics.
   *
   * @example
   * const service = await CatalogService.open({ databaseFile: 'data/catalog.sqlite' })
   */
  static async open(options: CatalogServiceOptions): Promise<CatalogService> {
    const database = CatalogDatabase.open({
      file: options.databaseFile,
      seedRows: options.seedRows,
    })
    const service = new CatalogService(options, database)
    service.supervisor.spawn(
      () => service.items.loadMany(Array.from({ length: 200 }, (_, index) => index + 1)),
      {
        name: 'warm-popular-items',
      },
    )
    return service
  }

  #track(): void {
    const { metrics } = this
    // Each series is labelled with the primitive's own name; the shared thread limiter and the
    // guard get one that says what they are here.
    metrics.track(this.pool)
    metrics.track(currentDefaultThreadLimiter(), { name: 'threads' })
    metrics.track(this.searchRoutes)
    metrics.track(this.exportRoutes)
    metrics.track(this.items)
    metrics.track(this.responseCache)
    metrics.track(this.followUps)
    metrics.track(this.supervisor)
    metrics.track(this.overloadGuard, { name: 'overload' })
    metrics.detectBlocking({
      thresholdMs: 100,
      onBlocked: (report) => this.#log(`event loop blocked: ${JSON.stringify(report)}`),
    })
  }

  /** `GET /items/:id`: one item, looked up through the batcher. */
  async item(idText: string | undefined, signal?: AbortSignal): Promise<Item> {
    const id = parseId(idText)
    const item = await this.items.load(id, { signal })
    if (item === null) throw new UnknownItemError(id)
    return item
  }

  /**
   * `GET /search?q=`: the arguments of the pool's `search` task for a query, for the adapters'
   * `offload()`. Throws `InvalidQueryError` (400) for a missing or too long query.
   */
  searchArguments(query: unknown): [file: string, query: string, limit: number] {
    return [this.database.file, parseSearchQuery(query), searchResultLimit]
  }

  /**
   * `POST /orders`: checks the body, then places the order and writes its fulfilment job in one
   * transaction, so an order is never acknowledged without its fulfilment (nor a fulfilment queued
   * for an order that was rolled back); then drops the item's cached responses, whose stock just
   * changed. When the follow-up queue is full (`QueueFullError`) or closing (`ClosedError`), the
   * order is refused and nothing is written: `httpErrorOf` answers both with 503 and `Retry-After`.
   */
  placeOrder(body: unknown): Order {
    const order = this.database.placeOrder(parseOrderRequest(body), (connection, placed) => {
      this.followUps.addInTransaction(
        connection,
        'fulfilOrder',
        { orderId: placed.id },
        { jobId: `fulfil-${placed.id}` },
      )
    })
    this.responseCache.invalidateTag(responseCacheTag(`/items/${order.itemId}`))
    return order
  }

  /** After-response work of an order: its receipt e-mail, written to the outbox. */
  readonly sendReceipt = (order: Order): void => {
    this.database.writeReceipt(order)
  }

  /** `GET /orders/:id`: an order with its status and whether its receipt was sent. */
  order(idText: string | undefined): Order {
    const id = parseId(idText, 'order id')
    const order = this.database.order(id)
    if (order === undefined) throw new UnknownOrderError(id)
    return order
  }

  /** `GET /export`: the whole catalog as CSV chunks. */
  exportCsv(): AsyncGenerator<string> {
    return this.database.exportCsv()
  }

  /** `GET /health`: liveness plus a glance at the pool, the queue and the guard. */
  health() {
    const pool = this.pool.stats()
    const queue = this.followUps.stats()
    return {
      status: 'ok' as const,
      items: this.database.itemCount(),
      pool: { threads: pool.threads, running: pool.running, waiting: pool.waiting },
      followUps: { waiting: queue.waiting, running: queue.running, completed: queue.completed },
      overloaded: this.overloadGuard.stats().overloaded,
    }
  }

  /**
   * What a graceful shutdown drains, in order, once the server stopped taking requests: the
   * supervisor's tasks, the follow-up queue, the pool, then the rest (metrics, guard, database).
   * The follow-up queue's own report (jobs cut off, jobs never started) is kept in
   * {@link followUpsReport}.
   */
  shutdownResources() {
    return [
      this.supervisor,
      {
        name: this.followUps.name,
        close: async (options?: { timeoutMs?: number }) => {
          this.#followUpsReport = await this.followUps.close(options)
          return this.#followUpsReport
        },
      },
      this.pool,
      { name: 'database-and-metrics', close: () => this.#closeRest() },
    ]
  }

  /**
   * What closing the follow-up queue reported, once the shutdown closed it: the fulfilments cut
   * off at the deadline (`aborted`) and every fulfilment left in the file (`notStarted`). Both run
   * at the next start.
   */
  get followUpsReport(): CloseReport | undefined {
    return this.#followUpsReport
  }

  #closeRest(): void {
    this.metrics.close()
    this.overloadGuard.close()
    this.responseCache.clear()
    this.database.close()
  }
}
