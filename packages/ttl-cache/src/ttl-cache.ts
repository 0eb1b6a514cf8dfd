import { EventEmitter } from 'eventemitter3'
import { LRUCache } from 'lru-cache'
import { CacheEntry } from './cache-entry.js'
import { capacityBounds } from './capacity-bounds.js'
import { CoarseClock } from './coarse-clock.js'
import { AbortError, InvalidCacheValueError } from './errors.js'
import { ExpirySweeper } from './expiry-sweeper.js'
import { Flight } from './flight.js'
import { InflightLoads } from './inflight-loads.js'
import { assertDuration, assertFunction, assertOptionalSignal } from './option-validation.js'
import { defaultPolicy, resolvePolicy, type StoragePolicy } from './storage-policy.js'
import { TagIndex } from './tag-index.js'
import type { CacheResult, TtlCacheEvents, TtlCacheStats } from './ttl-cache-events.js'
import type { GetOrLoadOptions, Loader, SetOptions, TtlCacheOptions } from './ttl-cache-options.js'

/** How often expired entries are swept by default. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000

/**
 * A bounded in-memory cache with per-entry TTL, built on lru-cache: single-flight loading (a thousand
 * concurrent misses run the loader once), stale-while-revalidate with exactly one background refresh,
 * optional negative caching, tags, abortable waits, counters and events.
 *
 * lru-cache stores the entries and enforces `max`/`maxSize`; freshness is kept here, per entry, against
 * a clock read at most once a millisecond, because lru-cache's `fetch()` decides TTL and coalescing
 * by its first caller's options, cannot tell "stale, refreshing" from "hit" without a status object
 * per call, and aborts a load on eviction even while callers wait for it.
 *
 * @example
 * const cache = new TtlCache<string, Item>({ max: 10_000, ttlMs: 60_000, staleWhileRevalidateMs: 30_000 })
 * const item = await cache.getOrLoad('item:1', ({ signal }) => fetchItem(1, { signal }), { tags: ['items'] })
 */
export class TtlCache<K extends {}, V extends {} | null> extends EventEmitter<TtlCacheEvents<K>> {
  readonly #entries: LRUCache<K, CacheEntry<V>>
  readonly #tags = new TagIndex<K>()
  readonly #inflight = new InflightLoads<K, V>()
  readonly #clock = new CoarseClock()
  readonly #sweeper: ExpirySweeper
  readonly #defaults: StoragePolicy
  readonly #negativeTtlMs: number
  #hits = 0
  #misses = 0
  #staleHits = 0
  #loads = 0
  #loadErrors = 0
  #evictions = 0

  constructor(options: TtlCacheOptions<K, V>) {
    super()
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        'TtlCache needs options: { ttlMs, max } or { ttlMs, maxSize, sizeCalculation }',
      )
    }
    const bounds = capacityBounds(options)
    this.#defaults = defaultPolicy(options.ttlMs, options.staleWhileRevalidateMs)
    this.#negativeTtlMs = assertDuration('negativeTtlMs', options.negativeTtlMs ?? 0)
    this.#sweeper = new ExpirySweeper(
      assertDuration('sweepIntervalMs', options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS),
      () => this.#sweep(),
    )
    this.#entries = new LRUCache({ ...bounds, dispose: this.#onDispose })
  }

  /** Entries held right now (values, stale values and remembered failures). */
  get size(): number {
    return this.#entries.size
  }

  /** How many loads (including background refreshes) run right now. */
  get loading(): number {
    return this.#inflight.size
  }

  /**
   * The value of `key` if it is fresh or within its stale window, else `undefined`. Counts a hit, stale
   * hit or miss; never loads.
   */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.freshUntil > this.#clock.now() && !entry.failed) {
      this.#hits++
      if (this.listenerCount('hit') !== 0) this.emit('hit', key)
      return entry.value
    }
    return this.#getSlow(key, entry)
  }

  /** Whether `key` has a fresh or stale value. Counts nothing and does not touch recency. */
  has(key: K): boolean {
    const entry = this.#entries.peek(key)
    return entry !== undefined && !entry.failed && entry.staleUntil > this.#clock.now()
  }

  /**
   * The value of `key`: fresh from the cache, stale (and then refreshed once in the background), or
   * loaded by `loader`, which runs once however many callers miss the key at the same time. A failed
   * load rejects every waiting caller and is not stored unless `negativeTtlMs` is set. The loader runs
   * in the first missing caller's async context; TTL and tags come from that caller's options.
   */
  getOrLoad(key: K, loader: Loader<K, V>, options?: GetOrLoadOptions): Promise<V> {
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.freshUntil > this.#clock.now()) {
      this.#hits++
      if (this.listenerCount('hit') !== 0) this.emit('hit', key)
      return entry.settled()
    }
    return this.#lookup(key, loader, options, entry, false)
  }

  /**
   * Like {@link getOrLoad}, and tells how the value was served: `{ value, status }` with `status`
   * `'hit'`, `'miss'` (this call loaded it or joined a running load) or `'stale'`: what an HTTP
   * adapter puts in `X-Cache`.
   */
  getOrLoadWithStatus(
    key: K,
    loader: Loader<K, V>,
    options?: GetOrLoadOptions,
  ): Promise<CacheResult<V>> {
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.freshUntil > this.#clock.now()) {
      this.#hits++
      if (this.listenerCount('hit') !== 0) this.emit('hit', key)
      return entry.hit()
    }
    return this.#lookup(key, loader, options, entry, true)
  }

  /**
   * Stores `value` (never `undefined`). A load of the same key that is running is detached: its
   * callers still get its value, but it does not overwrite this one.
   */
  set(key: K, value: V, options?: SetOptions): this {
    if (value === undefined) throw new InvalidCacheValueError(key, 'set')
    const policy = resolvePolicy(options, this.#defaults)
    this.#inflight.detach(key)
    this.#store(key, value, policy)
    return this
  }

  /** Removes `key`; a running load of it will not write its value back. Returns whether a value was held. */
  delete(key: K): boolean {
    this.#inflight.detach(key)
    return this.#entries.delete(key)
  }

  /** Removes every entry tagged `tag`, and keeps running loads tagged `tag` from storing. Returns how many entries went. */
  invalidateTag(tag: string): number {
    if (typeof tag !== 'string') {
      throw new TypeError(`tag must be a string, got ${typeof tag}`)
    }
    const keys = this.#tags.take(tag)
    for (const key of keys) this.#entries.delete(key)
    this.#inflight.detachTagged(tag)
    return keys.length
  }

  /** Removes every entry; running loads will not write back. */
  clear(): void {
    this.#inflight.detachAll()
    this.#tags.clear()
    this.#entries.clear()
  }

  /** The counters: `{ hits, misses, staleHits, loads, loadErrors, evictions, size }`. */
  stats(): TtlCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      staleHits: this.#staleHits,
      loads: this.#loads,
      loadErrors: this.#loadErrors,
      evictions: this.#evictions,
      size: this.#entries.size,
    }
  }

  /**
   * Stops the sweep timer for good and removes every entry (running loads will not write back). The
   * cache stays usable; expired entries then go only when read.
   */
  close(): void {
    this.#sweeper.stop()
    this.clear()
  }

  #getSlow(key: K, entry: CacheEntry<V> | undefined): V | undefined {
    if (entry !== undefined) {
      const now = this.#clock.now()
      if (!entry.failed && entry.staleUntil > now) {
        this.#countStale(key)
        return entry.value
      }
      if (entry.staleUntil <= now) this.#expire(key)
    }
    this.#countMiss(key)
    return undefined
  }

  #lookup(
    key: K,
    loader: Loader<K, V>,
    options: GetOrLoadOptions | undefined,
    entry: CacheEntry<V> | undefined,
    withStatus: boolean,
  ): Promise<any> {
    let policy: StoragePolicy
    let signal: AbortSignal | undefined
    try {
      assertFunction('loader', loader)
      policy = resolvePolicy(options, this.#defaults)
      signal = assertOptionalSignal('options.signal', options?.signal)
    } catch (error) {
      return Promise.reject(error)
    }
    const now = this.#clock.now()
    if (entry !== undefined) {
      if (!entry.failed && entry.staleUntil > now) {
        this.#countStale(key)
        this.#refreshInBackground(key, entry, loader, policy, now)
        return withStatus ? entry.stale() : entry.settled()
      }
      this.#expire(key)
    }
    if (signal?.aborted) {
      return Promise.reject(
        new AbortError(
          `The wait for key ${String(key)} was aborted before it began`,
          signal.reason,
        ),
      )
    }
    this.#countMiss(key)
    const flight = this.#inflight.get(key) ?? this.#startLoad(key, loader, policy, false)
    return withStatus
      ? this.#inflight.join(flight, signal, true)
      : this.#inflight.join(flight, signal, false)
  }

  #refreshInBackground(
    key: K,
    entry: CacheEntry<V>,
    loader: Loader<K, V>,
    policy: StoragePolicy,
    now: number,
  ): void {
    if (this.#inflight.get(key) !== undefined || entry.refreshBlockedUntil > now) return
    // A caller that names no tags keeps the stale value's tags, so the refreshed value stays findable.
    const tags = policy.tags ?? entry.tags
    this.#startLoad(key, loader, tags === policy.tags ? policy : { ...policy, tags }, true)
  }

  #startLoad(key: K, loader: Loader<K, V>, policy: StoragePolicy, background: boolean) {
    const flight = new Flight<K, V>(key, policy, background)
    this.#inflight.add(flight)
    this.#loads++
    flight.promise = runLoader(loader, flight).then(
      (value) => this.#completeLoad(flight, value),
      (error: unknown) => this.#failLoad(flight, error),
    )
    // Owned here: every caller may have left (or none waits, for a refresh) when a load fails.
    flight.promise.catch(ignore)
    return flight
  }

  #completeLoad(flight: Flight<K, V>, value: V): V {
    if (value === undefined)
      return this.#failLoad(flight, new InvalidCacheValueError(flight.key, 'loader'))
    if (this.#inflight.settle(flight)) this.#store(flight.key, value, flight)
    return value
  }

  #failLoad(flight: Flight<K, V>, error: unknown): never {
    const current = this.#inflight.settle(flight)
    if (!flight.aborted) {
      this.#loadErrors++
      if (this.listenerCount('loadError') !== 0) this.emit('loadError', flight.key, error)
    }
    if (current) this.#rememberFailure(flight, error)
    throw error
  }

  /** A failed refresh keeps the stale value (and waits `negativeTtlMs` before retrying); a failed load may be remembered. */
  #rememberFailure(flight: Flight<K, V>, error: unknown): void {
    const now = this.#clock.now()
    const stale = this.#entries.peek(flight.key)
    if (stale !== undefined && !stale.failed && stale.staleUntil > now) {
      stale.refreshBlockedUntil = now + this.#negativeTtlMs
      return
    }
    if (this.#negativeTtlMs <= 0) return
    const until = now + this.#negativeTtlMs
    this.#insert(
      flight.key,
      new CacheEntry<V>(undefined as unknown as V, error, true, until, until, flight.tags),
    )
  }

  #store(key: K, value: V, policy: StoragePolicy): void {
    const lifetime = policy.ttlMs + policy.staleWhileRevalidateMs
    if (!(lifetime > 0)) {
      this.#entries.delete(key)
      return
    }
    const now = this.#clock.now()
    this.#insert(
      key,
      new CacheEntry(value, undefined, false, now + policy.ttlMs, now + lifetime, policy.tags),
    )
  }

  #insert(key: K, entry: CacheEntry<V>): void {
    this.#entries.set(key, entry)
    // lru-cache refuses an entry larger than maxSize; only an entry it kept may be indexed.
    if (entry.tags !== undefined && this.#entries.peek(key) === entry)
      this.#tags.add(key, entry.tags)
    if (entry.staleUntil !== Number.POSITIVE_INFINITY) this.#sweeper.arm()
  }

  #expire(key: K): void {
    this.#entries.delete(key)
    this.#evictions++
    if (this.listenerCount('evict') !== 0) this.emit('evict', key, 'expired')
  }

  #sweep(): number {
    const now = this.#clock.now()
    const expired: K[] = []
    this.#entries.forEach((entry, key) => {
      if (entry.staleUntil <= now) expired.push(key)
    })
    for (const key of expired) this.#expire(key)
    return this.#entries.size
  }

  readonly #onDispose = (entry: CacheEntry<V>, key: K, reason: LRUCache.DisposeReason): void => {
    if (entry.tags !== undefined) this.#tags.remove(key, entry.tags)
    if (reason !== 'evict') return
    this.#evictions++
    if (this.listenerCount('evict') !== 0) this.emit('evict', key, 'capacity')
  }

  #countStale(key: K): void {
    this.#staleHits++
    if (this.listenerCount('stale') !== 0) this.emit('stale', key)
  }

  #countMiss(key: K): void {
    this.#misses++
    if (this.listenerCount('miss') !== 0) this.emit('miss', key)
  }
}

function runLoader<K, V>(loader: Loader<K, V>, flight: Flight<K, V>): Promise<V> {
  try {
    return Promise.resolve(loader(flight.context))
  } catch (error) {
    return Promise.reject(error)
  }
}

function ignore(): void {}
