import { abortErrorFor, adoptResult } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { EventEmitter } from 'eventemitter3'
import { LRUCache } from 'lru-cache'
import { InvalidCacheValueError } from './errors.js'
import { CacheEntry } from './internal/cache-entry.js'
import { capacityBounds } from './internal/capacity-bounds.js'
import { CoarseClock } from './internal/coarse-clock.js'
import { ExpirySweeper } from './internal/expiry-sweeper.js'
import { Flight } from './internal/flight.js'
import { InflightLoads } from './internal/inflight-loads.js'
import {
  checkCacheOptions,
  getOrLoadSchema,
  setSchema,
  ttlCacheSchema,
  ttlOption,
} from './internal/option-schemas.js'
import { resolvePolicy, type StoragePolicy } from './internal/storage-policy.js'
import { TagIndex } from './internal/tag-index.js'
import type {
  CacheResult,
  GetOrLoadOptions,
  Loader,
  SetOptions,
  TtlCacheEvents,
  TtlCacheOptions,
  TtlCacheStats,
} from './types.js'

/** How often expired entries are swept when `sweepIntervalMs` is left out. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000

/**
 * A bounded in-memory cache with per-entry TTL: single-flight loading (a thousand concurrent misses
 * run the loader once), stale-while-revalidate with exactly one background refresh, optional negative
 * caching, tags, abortable waits, counters and events.
 *
 * The entries live in an LRU list bounded by `max` and/or `maxSize`; freshness is kept per entry,
 * against a clock read at most once a millisecond, so a hit allocates nothing and starts no timer.
 *
 * @example
 * const cache = new TtlCache<string, Item>({ name: 'items', max: 10_000, ttlMs: 60_000, staleWhileRevalidateMs: 30_000 })
 * const item = await cache.getOrLoad('item:1', ({ signal }) => fetchItem(1, { signal }), { tags: ['items'] })
 */
export class TtlCache<K extends {}, V extends {} | null> extends EventEmitter<TtlCacheEvents<K>> {
  /** The cache's name, from the `name` option: in `stats()`, error messages and metric labels. */
  readonly name: string
  readonly #entries: LRUCache<K, CacheEntry<V>>
  readonly #tags = new TagIndex<K>()
  readonly #inflight: InflightLoads<K, V>
  readonly #clock = new CoarseClock()
  readonly #sweeper: ExpirySweeper
  readonly #defaults: StoragePolicy
  readonly #negativeTtlMs: number
  /** The last frozen options bag that passed the check, so a reused one (`cached()`'s) is checked once. */
  #checkedLoadOptions: object | undefined
  #checkedSetOptions: object | undefined
  #hits = 0
  #misses = 0
  #staleHits = 0
  #loads = 0
  #loadErrors = 0
  #evictions = 0

  /**
   * @param options `ttlMs`, and `max` and/or `maxSize` with `sizeCalculation`; every other option
   *   has a default. An unknown or misspelled option is a `TypeError` (code `LOOPWORK_INVALID_OPTION`).
   */
  constructor(options: TtlCacheOptions<K, V>) {
    super()
    const given = checkCacheOptions('TtlCache options', options, ttlCacheSchema) ?? {
      ttlMs: undefined as unknown as number,
    }
    this.name = given.name ?? 'cache'
    this.#defaults = {
      ttlMs: ttlOption('ttlMs', given.ttlMs),
      staleWhileRevalidateMs: given.staleWhileRevalidateMs ?? 0,
      tags: undefined,
    }
    this.#negativeTtlMs = given.negativeTtlMs ?? 0
    this.#sweeper = new ExpirySweeper(given.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS, () =>
      this.#sweep(),
    )
    this.#inflight = new InflightLoads<K, V>(this.name)
    this.#entries = new LRUCache({ ...capacityBounds(given), dispose: this.#onDispose })
  }

  /** Entries held right now (values, stale values and remembered failures). */
  get size(): number {
    return this.#entries.size
  }

  /**
   * The value of `key` if it is fresh or within its stale window, else `undefined`. Counts a hit, stale
   * hit or miss; never loads.
   */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.freshUntil > this.#clock.now() && !entry.failed) {
      this.#hits++
      if (this.listenerCount('hit') !== 0) this.emit('hit', { key })
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
   * in the first missing caller's async context; TTL and tags come from that caller's options. What
   * the loader returns is adopted once: a thenable's `then()` is called exactly once.
   * Bad input (a loader that is not a function, an unknown option) rejects with a `TypeError` or
   * `RangeError` whose code is `LOOPWORK_INVALID_OPTION`.
   */
  getOrLoad(key: K, loader: Loader<K, V>, options?: GetOrLoadOptions): Promise<V> {
    return this.#getOrLoad(key, loader, options, false)
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
    return this.#getOrLoad(key, loader, options, true)
  }

  /**
   * Stores `value` (never `undefined`). A load of the same key that is running is detached: its
   * callers still get its value, but it does not overwrite this one.
   */
  set(key: K, value: V, options?: SetOptions): this {
    if (options !== undefined && options !== this.#checkedSetOptions) {
      checkCacheOptions('set() options', options, setSchema)
      if (Object.isFrozen(options)) this.#checkedSetOptions = options
    }
    if (value === undefined) throw new InvalidCacheValueError(key, 'set', this.name)
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
    option.string('tag', tag)
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

  /** The counters, as a fresh object: `{ name, waiting, running, hits, misses, staleHits, loads, loadErrors, evictions, size }`. */
  stats(): TtlCacheStats {
    return {
      name: this.name,
      waiting: this.#inflight.waiting,
      running: this.#inflight.running,
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

  /** `getOrLoad`, or with `withStatus` `getOrLoadWithStatus`: a fresh value is answered at once. */
  #getOrLoad(
    key: K,
    loader: Loader<K, V>,
    options: GetOrLoadOptions | undefined,
    withStatus: boolean,
  ): Promise<any> {
    // Options left out, or the frozen bag that passed last time, need no check.
    if (
      typeof loader !== 'function' ||
      (options !== undefined && options !== this.#checkedLoadOptions)
    ) {
      const refused = this.#checkLoad(loader, options)
      if (refused !== undefined) return refused
    }
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.freshUntil > this.#clock.now()) {
      this.#countHit(key)
      return withStatus ? entry.hit() : entry.settled()
    }
    return this.#lookup(key, loader, options, entry, withStatus)
  }

  /**
   * A rejection for a loader that is not a function or bad options, else `undefined`. A frozen
   * options bag that passes is remembered, so a reused one (`cached()`'s) is checked once.
   */
  #checkLoad(loader: unknown, options: GetOrLoadOptions | undefined): Promise<never> | undefined {
    try {
      if (typeof loader !== 'function') throw option.invalid('loader', loader, 'a function')
      checkCacheOptions('getOrLoad() options', options, getOrLoadSchema)
    } catch (error) {
      return Promise.reject(error)
    }
    if (options !== undefined && Object.isFrozen(options)) this.#checkedLoadOptions = options
    return undefined
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

  /** A lookup that found no fresh value; `options` were checked already. */
  #lookup(
    key: K,
    loader: Loader<K, V>,
    options: GetOrLoadOptions | undefined,
    entry: CacheEntry<V> | undefined,
    withStatus: boolean,
  ): Promise<any> {
    const policy = resolvePolicy(options, this.#defaults)
    const now = this.#clock.now()
    if (entry !== undefined) {
      if (!entry.failed && entry.staleUntil > now) {
        this.#countStale(key)
        this.#refreshInBackground(key, entry, loader, policy, now)
        return withStatus ? entry.stale() : entry.settled()
      }
      this.#expire(key)
    }
    const signal = options?.signal
    if (signal?.aborted) {
      return Promise.reject(
        abortErrorFor(
          `The wait for key ${String(key)} in cache ${JSON.stringify(this.name)} was aborted before it began`,
          signal,
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
    if (value === undefined) {
      return this.#failLoad(flight, new InvalidCacheValueError(flight.key, 'loader', this.name))
    }
    if (this.#inflight.settle(flight)) this.#store(flight.key, value, flight)
    return value
  }

  #failLoad(flight: Flight<K, V>, error: unknown): never {
    const current = this.#inflight.settle(flight)
    if (!flight.aborted) {
      this.#loadErrors++
      if (this.listenerCount('loadError') !== 0) this.emit('loadError', { key: flight.key, error })
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
    if (this.listenerCount('evict') !== 0) this.emit('evict', { key, reason: 'expired' })
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
    if (this.listenerCount('evict') !== 0) this.emit('evict', { key, reason: 'capacity' })
  }

  #countHit(key: K): void {
    this.#hits++
    if (this.listenerCount('hit') !== 0) this.emit('hit', { key })
  }

  #countStale(key: K): void {
    this.#staleHits++
    if (this.listenerCount('stale') !== 0) this.emit('stale', { key })
  }

  #countMiss(key: K): void {
    this.#misses++
    if (this.listenerCount('miss') !== 0) this.emit('miss', { key })
  }
}

function runLoader<K, V>(loader: Loader<K, V>, flight: Flight<K, V>): Promise<V> {
  try {
    return adoptResult(loader(flight.context))
  } catch (error) {
    return Promise.reject(error)
  }
}

function ignore(): void {}
