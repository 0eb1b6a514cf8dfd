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
 * (or cache key) to value. `keys` is read-only: copy it before sorting. An `Error` instance as a value rejects only that key's loads; throwing or
 * rejecting rejects every load of the batch with `BatchFailedError`.
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

/** Options of a {@link Batcher}. */
export interface BatcherOptions<K> {
  /**
   * How long a batch collects keys, in milliseconds, counted from its first key: one timer per
   * batch, armed by that key and never moved by later keys. Loads of different HTTP requests arrive
   * in different ticks, so only a time window batches across requests. `0` dispatches at the end of
   * the current tick instead (after the promise jobs of this turn, before any I/O or timer): exactly
   * DataLoader's scheduling, with no added latency, batching only loads made in one turn.
   *
   * @default 10
   * @example new Batcher(loadUsers, { windowMs: 0 }) // DataLoader's zero-latency batching
   */
  readonly windowMs?: number

  /**
   * The most keys in one batch. A batch that reaches it is dispatched at once, without waiting for
   * its window. A positive integer, or `Infinity` (then `maxPendingKeys` is the only bound).
   *
   * @default 1000
   * @example new Batcher(batchGetItems, { maxBatchSize: 100 }) // DynamoDB BatchGetItem's limit
   */
  readonly maxBatchSize?: number

  /**
   * How many batches may be in flight (their batch function not yet settled) at once; further
   * batches wait, FIFO, and the batch that is still collecting keeps growing up to `maxBatchSize`
   * meanwhile, so a saturated backend gets fewer, fuller batches. A positive integer or `Infinity`.
   *
   * @default Infinity (like DataLoader)
   * @example new Batcher(loadUsers, { maxConcurrentBatches: 4 }) // at most 4 queries at once
   */
  readonly maxConcurrentBatches?: number

  /**
   * How many keys may wait to be sent to the batch function: the collecting batch plus the batches
   * queued behind `maxConcurrentBatches`. This is what bounds memory when every concurrent batch is
   * in flight and keys keep coming: a load that would add a key past it rejects at once with
   * `BatcherQueueFullError` (load shedding). Keys sent, or about to be, no longer count, so a burst
   * with a free slot never hits it. A positive integer, or `Infinity` to remove the bound.
   *
   * @default 10_000
   * @example new Batcher(loadUsers, { maxConcurrentBatches: 4, maxPendingKeys: 2_000 })
   */
  readonly maxPendingKeys?: number

  /**
   * Whether a key asked twice while its batch is still collecting goes to the batch function once;
   * every caller gets the value. Keys already sent (in flight) are not shared: caching across
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
   * pure and cheap. If it throws, that load rejects with its error.
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
   * A name for error messages, events and metrics.
   *
   * @default 'batcher'
   * @example new Batcher(loadUsers, { name: 'users' })
   */
  readonly name?: string
}

/** Options of one `load()`. */
export interface LoadOptions {
  /**
   * Cancels this load: before its batch is dispatched the key leaves the batch (unless another
   * caller still wants it); afterwards only this caller's promise rejects, with `AbortError`, while
   * the batch goes on for the others. When every caller of a dispatched batch has aborted, the batch
   * function's own signal fires.
   *
   * @default undefined (the load cannot be cancelled)
   * @example await users.load(42, { signal: AbortSignal.timeout(500) })
   */
  readonly signal?: AbortSignal | undefined
}

/** Options of one `loadMany()`. */
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
