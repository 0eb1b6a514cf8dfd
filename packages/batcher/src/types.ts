/** The default batch window, in milliseconds (see {@link BatcherOptions.windowMs}). */
export const DEFAULT_WINDOW_MS = 10
/** The default largest batch (see {@link BatcherOptions.maxBatchSize}). */
export const DEFAULT_MAX_BATCH_SIZE = 1000
/** The default bound on keys waiting for a batch (see {@link BatcherOptions.maxWaiting}). */
export const DEFAULT_MAX_WAITING = 10_000

/** What the batch function receives besides its keys. */
export interface BatchFunctionContext {
  /**
   * Fires once every caller of this batch has aborted its load, so the batch function can cancel
   * the query nobody waits for any more. Never fires while one caller still waits.
   */
  readonly signal: AbortSignal
}

/** One batch's answer: values (or `Error`s) aligned with the keys, or a `Map` from key to value. */
export type BatchResult<V> = ReadonlyArray<V | Error> | ReadonlyMap<unknown, V | Error>

/**
 * Loads many keys at once. Return an array with one entry per key, in key order, or a `Map` from key
 * (or cache key) to value, or a promise or thenable of either (its `then()` is called exactly once,
 * so a lazy query builder runs once). `keys` is read-only: copy it before sorting. An `Error`
 * instance as a value rejects only that key's loads; throwing or rejecting rejects every load of the
 * batch with `BatchFailedError`.
 *
 * @example
 * const batchFunction: BatchFunction<number, User> = async (ids, { signal }) =>
 *   db.query('select * from users where id = any($1)', [ids], { signal })
 */
export type BatchFunction<K, V> = (
  keys: readonly K[],
  context: BatchFunctionContext,
) => BatchResult<V> | PromiseLike<BatchResult<V>>

/** What a `Map` result without a requested key means. */
export type MissingKeyPolicy = 'reject' | 'undefined'

/**
 * Options of a `Batcher`. An unknown key (a misspelling such as `windowMS`) or a value of the
 * wrong type throws a `TypeError`, a number out of range a `RangeError`; both carry
 * `code: 'LOOPWORK_INVALID_OPTION'` and `option`. A key set to `undefined` counts as left out.
 */
export interface BatcherOptions<K> {
  /**
   * How long a batch collects keys, in milliseconds, counted from its first key: one timer per
   * batch, armed by that key and never moved by later keys. Loads of different HTTP requests arrive
   * in different ticks, so only a time window batches across requests. `0` dispatches at the end of
   * the current tick instead (after the promise jobs of this turn, before any I/O or timer): no
   * added latency, batching only loads made in one turn. From 0 to 2,147,483,647 (the longest delay
   * a timer honours); `Infinity` is refused, since a batch must be sent some time.
   *
   * @default 10
   * @example new Batcher(loadUsers, { windowMs: 0 }) // batch the loads of one tick, add no latency
   */
  readonly windowMs?: number

  /**
   * The most keys in one batch. A batch that reaches it is dispatched at once, without waiting for
   * its window. A positive integer, or `Infinity` (then `maxWaiting` is the only bound).
   *
   * @default 1000
   * @example new Batcher(batchGetItems, { maxBatchSize: 100 }) // DynamoDB BatchGetItem's limit
   */
  readonly maxBatchSize?: number

  /**
   * How many batches may run at once (their batch function called and not yet settled); further
   * batches wait, oldest first, and the batch that is still collecting keeps growing up to
   * `maxBatchSize` meanwhile, so a saturated backend gets fewer, fuller batches. A positive integer,
   * or `Infinity` for no limit.
   *
   * @default Infinity
   * @example new Batcher(loadUsers, { concurrency: 4 }) // at most 4 queries at once
   */
  readonly concurrency?: number

  /**
   * How many keys may wait to be sent to the batch function: the collecting batch plus the batches
   * waiting behind `concurrency`. This is what bounds memory when every running slot is taken and
   * keys keep coming: a load that would add a key past it rejects at once with `QueueFullError`
   * (`option: 'maxWaiting'`). Keys sent, or about to be, no longer count, so a burst with a free
   * slot never hits it. A positive integer, or `Infinity` to remove the bound.
   *
   * @default 10_000
   * @example new Batcher(loadUsers, { concurrency: 4, maxWaiting: 2_000 })
   */
  readonly maxWaiting?: number

  /**
   * Whether a key asked twice while its batch is still collecting goes to the batch function once;
   * every caller gets the value. Keys already sent (running) are not shared: caching across
   * batches belongs in a cache such as `@loopwork/ttl-cache`. With `false`, every load sends its key.
   *
   * @default true
   * @example new Batcher(sendNotifications, { dedupe: false }) // every call must reach the backend
   */
  readonly dedupe?: boolean

  /**
   * Maps a key to the value that identifies it for `dedupe` (a `Map` key, compared with
   * `SameValueZero`), needed for object or array keys. Also used to find a key in a `Map` result when
   * the key itself is not there. Called on every load (with dedupe) and for such lookups; keep it
   * pure, cheap and synchronous (what it returns is the identity, never awaited). If it throws, that
   * load rejects with its error.
   *
   * @default the key itself
   * @example new Batcher(loadOrders, { cacheKey: (key: { tenant: string; id: number }) => `${key.tenant}:${key.id}` })
   */
  readonly cacheKey?: (key: K) => unknown

  /**
   * What a `Map` result without a requested key means: `'reject'` rejects that key's loads with
   * `MissingKeyError`; `'undefined'` resolves them with `undefined` (declare the value type as
   * `T | undefined` then).
   *
   * @default 'reject'
   * @example new Batcher<number, User | undefined>(findUsers, { missingKey: 'undefined' })
   */
  readonly missingKey?: MissingKeyPolicy

  /**
   * The batcher's name (a non-empty string), used in error messages, and repeated as the `name`
   * property and `stats().name` for metrics.
   *
   * @default 'batcher'
   * @example new Batcher(loadUsers, { name: 'users' })
   */
  readonly name?: string
}

/**
 * Options of one `load()`. An unknown key or a value of the wrong type rejects the load with a
 * `TypeError` carrying `code: 'LOOPWORK_INVALID_OPTION'` (`load()` never throws).
 */
export interface LoadOptions {
  /**
   * Cancels this load: before its batch is dispatched the key leaves the batch (unless another
   * caller still wants it); afterwards only this caller's promise rejects, with `AbortError`, while
   * the batch goes on for the others. When every caller of a dispatched batch has aborted, the batch
   * function's own signal fires. An already aborted signal rejects at once and adds no key.
   *
   * @default undefined (the load cannot be cancelled)
   * @example await users.load(42, { signal: AbortSignal.timeout(500) })
   */
  readonly signal?: AbortSignal | undefined
}

/** Options of one `loadMany()`, checked like {@link LoadOptions}. */
export interface LoadManyOptions extends LoadOptions {
  /**
   * `false` settles every key like `Promise.allSettled` and never rejects; `true` resolves with the
   * values like `Promise.all` and rejects with the first key's error (the other loads still run, and
   * their errors are handled).
   *
   * @default false
   * @example const [a, b] = await users.loadMany([1, 2], { rejectOnError: true })
   */
  readonly rejectOnError?: boolean
}

/** A snapshot of a batcher, as `stats()` returns it. Counters run from the batcher's creation. */
export interface BatcherStats {
  /** The batcher's name (the `name` option). */
  readonly name: string
  /**
   * Keys waiting to be sent to the batch function: the collecting batch plus full batches waiting
   * for a `concurrency` slot. What `maxWaiting` bounds.
   */
  readonly waiting: number
  /** Batches running: their batch function was called and has not settled yet. */
  readonly running: number
  /** Full batches waiting for a `concurrency` slot (their keys count in `waiting`). */
  readonly waitingBatches: number
  /** Batch function calls (dispatched batches). */
  readonly batches: number
  /** Keys sent to the batch function, over all batches. */
  readonly keys: number
  /** `keys / batches` (0 before the first batch). */
  readonly meanBatchSize: number
  /** The largest batch dispatched so far, in keys (the bound is the `maxBatchSize` option). */
  readonly largestBatch: number
  /** Batches whose batch function threw, rejected or returned a malformed result. */
  readonly failedBatches: number
  /** Loads that joined a key already waiting in their batch (`dedupe`) and added no key. */
  readonly dedupedLoads: number
  /** Loads cancelled through their signal. */
  readonly abortedLoads: number
  /** Loads refused at once with `QueueFullError` because `maxWaiting` keys were already waiting. */
  readonly rejectedLoads: number
  /**
   * Mean time from a batch's first key to its dispatch, in milliseconds (the window plus any wait
   * for a `concurrency` slot).
   */
  readonly meanWaitMs: number
  /** The longest such wait so far, in milliseconds. */
  readonly longestWaitMs: number
}

/** The event object of `'batch'`: one batch function call that settled. */
export interface BatchEvent {
  /** The batcher's name. */
  readonly name: string
  /** Keys in the batch. */
  readonly size: number
  /** From calling the batch function to its settling, in milliseconds. */
  readonly durationMs: number
  /** From the batch's first key to its dispatch, in milliseconds. */
  readonly waitMs: number
  /**
   * Set when the batch failed as a whole: the `BatchFailedError` or `BatchShapeError` its loads
   * rejected with. Per-key `Error` values do not count as a failed batch.
   */
  readonly error?: Error
}

/**
 * Events of a batcher (an eventemitter3 emitter); every listener receives one event object. The
 * object is built only while someone listens, so it costs nothing otherwise. A listener that throws
 * is reported as an uncaught exception; it never leaves a load unsettled.
 */
export interface BatcherEvents {
  /** A batch function call settled (fulfilled or failed). */
  batch: [event: BatchEvent]
}
