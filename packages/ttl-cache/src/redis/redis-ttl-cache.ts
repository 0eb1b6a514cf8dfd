import { randomUUID } from 'node:crypto'
import { adoptResult } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { EventEmitter } from 'eventemitter3'
import type { Redis } from 'ioredis'
import { InvalidCacheValueError, SerializationError } from '../errors.js'
import { checkCacheOptions, tagsOption, ttlOption } from '../internal/option-schemas.js'
import { CircuitBreaker } from '../internal/redis/circuit-breaker.js'
import { decodeEnvelope, encodeEnvelope } from '../internal/redis/envelope.js'
import { waitForHolder } from '../internal/redis/holder-wait.js'
import { type Invalidation, InvalidationChannel } from '../internal/redis/invalidation-channel.js'
import { KeyLayout } from '../internal/redis/key-layout.js'
import { RedisGuard } from '../internal/redis/redis-guard.js'
import {
  type RedisSettings,
  redisGetOrLoadSchema,
  redisSetSchema,
  resolveRedisSettings,
} from '../internal/redis/redis-settings.js'
import { type ReadSnapshot, RedisStore } from '../internal/redis/redis-store.js'
import { TtlCache } from '../ttl-cache.js'
import type {
  CacheResult,
  GetOrLoadOptions,
  LoadContext,
  Loader,
  SetOptions,
  TtlCacheStats,
} from '../types.js'
import type { RedisTierStats, RedisTtlCacheEvents, RedisTtlCacheOptions } from './types.js'

/** A name of the cache's events. */
type EventName = EventEmitter.EventNames<RedisTtlCacheEvents>

/** A listener for the cache's event `T`. */
type Listener<T extends EventName> = EventEmitter.EventListener<RedisTtlCacheEvents, T>

/** The memory tier's events that the Redis tier passes on, once someone listens for them. */
type ForwardedEvent = 'hit' | 'stale' | 'evict'

/** One call's TTLs and tags: `ttlMs` is the Redis TTL, memory keeps the value no longer. */
interface FillRequest {
  readonly redisTtlMs: number
  readonly memoryTtlMs: number
  readonly tags: readonly string[]
  readonly memoryOptions: GetOrLoadOptions
}

/** One memory-tier load of a key; tells `getOrLoadWithStatus` whether Redis had the value. */
interface Fill {
  fromRedis: boolean
}

interface StoredValue<V> {
  readonly value: V
  readonly tags: readonly string[] | undefined
}

/**
 * A two-level cache for several instances: a `TtlCache` in memory in front of Redis. Values live in
 * Redis with their TTL (serialized, JSON by default); a miss in both tiers is loaded once across all
 * instances (a short Redis lock, with a timeout fallback for a dead holder); deletes and tag
 * invalidations go to Redis first, then memory, and are broadcast over pub/sub so every instance evicts
 * its copy. A version check keeps a load that was invalidated while it ran from writing back. Every
 * Redis call has a timeout and passes a circuit breaker; when Redis is down the cache works from memory
 * and the loader, reports the errors, and never fails a request because of Redis.
 *
 * @example
 * const cache = new RedisTtlCache<Item>({ name: 'items', redis: new Redis(process.env.REDIS_URL), max: 10_000, ttlMs: 60_000 })
 * const item = await cache.getOrLoad(`item:${id}`, () => fetchItem(id), { tags: ['items'] })
 */
export class RedisTtlCache<V extends {} | null> extends EventEmitter<RedisTtlCacheEvents> {
  /** The cache's name, from the `name` option (also the memory tier's name). */
  readonly name: string
  /**
   * The in-memory tier, for inspection (`has`, `size`, `stats`). Writing to it directly bypasses Redis
   * and the other instances.
   */
  readonly memory: TtlCache<string, V>
  readonly #settings: RedisSettings<V>
  readonly #store: RedisStore
  readonly #breaker: CircuitBreaker
  readonly #channel: InvalidationChannel
  readonly #subscriber: Redis
  readonly #ownsSubscriber: boolean
  readonly #defaultRequest: FillRequest
  readonly #fills = new Map<string, Fill>()
  /** The memory tier's events passed on right now, each by its own listener on the memory tier. */
  readonly #forwarders = new Map<ForwardedEvent, (event: unknown) => void>()
  /** The last frozen options bag and its checked request, so a reused one (`cached()`'s) is checked once. */
  #lastOptions: object | undefined
  #lastRequest: FillRequest | undefined
  #redisHits = 0
  #redisMisses = 0
  #redisErrors = 0
  #lockWaits = 0
  #lockFallbacks = 0
  #discardedWrites = 0
  #invalidationsReceived = 0
  #loads = 0
  #loadErrors = 0
  #running = 0

  /**
   * @param options `redis`, `ttlMs`, and `max` and/or `maxSize` with `sizeCalculation`; every other
   *   option has a default. An unknown or misspelled option is a `TypeError` (code
   *   `LOOPWORK_INVALID_OPTION`).
   */
  constructor(options: RedisTtlCacheOptions<V>) {
    super()
    const settings = resolveRedisSettings(options)
    this.#settings = settings
    this.name = options.name ?? 'cache'
    this.memory = new TtlCache<string, V>({
      name: this.name,
      max: options.max,
      maxSize: options.maxSize,
      sizeCalculation: options.sizeCalculation,
      ttlMs: settings.memoryTtlMs,
      staleWhileRevalidateMs: options.staleWhileRevalidateMs,
      negativeTtlMs: options.negativeTtlMs,
      sweepIntervalMs: options.sweepIntervalMs,
    })
    this.#breaker = new CircuitBreaker(
      settings.circuitBreakerThreshold,
      settings.circuitBreakerResetMs,
      (state) => {
        if (this.listenerCount('circuit') !== 0) this.emit('circuit', { state })
      },
    )
    const guard = new RedisGuard(
      settings.operationTimeoutMs,
      this.#breaker,
      this.#report,
      this.name,
    )
    const layout = new KeyLayout(settings.keyPrefix)
    this.#store = new RedisStore(options.redis, layout, guard, settings)
    this.#ownsSubscriber = options.subscriber === undefined
    this.#subscriber = options.subscriber ?? options.redis.duplicate()
    if (this.#ownsSubscriber) this.#subscriber.on('error', this.#reportSubscriberError)
    this.#channel = new InvalidationChannel(
      options.redis,
      this.#subscriber,
      layout.channel,
      guard,
      (invalidation) => this.#applyRemote(invalidation),
      () => this.memory.clear(),
    )
    this.#defaultRequest = this.#request(undefined)
  }

  /**
   * Adds a listener (eventemitter3's `on`). Listening for `hit`, `stale` or `evict` also starts
   * passing on the memory tier's, which cost nothing while nobody listens.
   */
  override on<T extends EventName>(event: T, fn: Listener<T>, context?: unknown): this {
    super.on(event, fn, context)
    this.#forward(event)
    return this
  }

  /** The same as {@link on}. */
  override addListener<T extends EventName>(event: T, fn: Listener<T>, context?: unknown): this {
    return this.on(event, fn, context)
  }

  /** Adds a listener called once (eventemitter3's `once`); see {@link on}. */
  override once<T extends EventName>(event: T, fn: Listener<T>, context?: unknown): this {
    super.once(event, fn, context)
    this.#forward(event)
    return this
  }

  /** Resolves once this instance listens for other instances' invalidations; rejects if Redis cannot be reached. */
  ready(): Promise<void> {
    return this.#channel.ready()
  }

  /**
   * The value of `key`: from memory, from Redis, or loaded once across every instance. Never fails
   * because of Redis; rejects only with the loader's error (or an abort of this caller's wait, or bad
   * input). What the loader returns is adopted once: a thenable's `then()` is called exactly once.
   */
  getOrLoad(key: string, loader: Loader<string, V>, options?: GetOrLoadOptions): Promise<V> {
    let request: FillRequest
    try {
      request = this.#validate(key, loader, options)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.memory.getOrLoad(
      key,
      (context) => this.#fill(key, loader, request, context),
      request.memoryOptions,
    )
  }

  /**
   * Like {@link getOrLoad}, with how the value was served: `hit` (memory or Redis), `stale` (memory,
   * refreshing) or `miss` (loaded, or waited for another instance's load).
   */
  getOrLoadWithStatus(
    key: string,
    loader: Loader<string, V>,
    options?: GetOrLoadOptions,
  ): Promise<CacheResult<V>> {
    let request: FillRequest
    try {
      request = this.#validate(key, loader, options)
    } catch (error) {
      return Promise.reject(error)
    }
    const pending = this.memory.getOrLoadWithStatus(
      key,
      (context) => this.#fill(key, loader, request, context),
      request.memoryOptions,
    )
    // A miss started or joined the key's current fill just now; it says whether Redis had the value.
    const fill = this.#fills.get(key)
    if (fill === undefined) return pending
    return pending.then((result) =>
      result.status === 'miss' && fill.fromRedis ? { value: result.value, status: 'hit' } : result,
    )
  }

  /** The value of `key` from memory or Redis, or `undefined`; never loads. */
  async get(key: string): Promise<V | undefined> {
    assertKey(key)
    const local = this.memory.get(key)
    if (local !== undefined) return local
    let snapshot: ReadSnapshot
    try {
      snapshot = await this.#store.read(key, [])
    } catch {
      this.#countMiss(key)
      return undefined
    }
    const stored = this.#decode(key, snapshot)
    if (stored === undefined) {
      this.#countMiss(key)
      return undefined
    }
    this.#countRedisHit(key)
    const ttlMs = this.#memoryTtl(this.#defaultRequest, snapshot.remainingTtlMs)
    this.memory.set(key, stored.value, { ttlMs, tags: stored.tags })
    return stored.value
  }

  /**
   * Stores `value` in Redis (bumping its version, so running loads cannot overwrite it) and in memory,
   * and tells the other instances to drop their copy. Rejects only for bad input (an `undefined` value,
   * a value the serializer refuses, bad options).
   */
  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    assertKey(key)
    const request = this.#requestFor(options, 'set() options', redisSetSchema)
    if (value === undefined) throw new InvalidCacheValueError(key, 'set', this.name)
    const envelope = encodeEnvelope(request.tags, this.#serialize(key, value))
    await this.#store.set(key, envelope, request.redisTtlMs, request.tags).catch(ignore)
    this.memory.set(key, value, request.memoryOptions)
    await this.#announce({ kind: 'key', key })
  }

  /** Deletes `key` in Redis, then in memory, then on every instance. Resolves whether a value was there. */
  async delete(key: string): Promise<boolean> {
    assertKey(key)
    const inRedis = await this.#store.delete(key).catch(() => false)
    const inMemory = this.memory.delete(key)
    await this.#announce({ kind: 'key', key })
    return inRedis || inMemory
  }

  /** Deletes every value tagged `tag` in Redis (batched SSCAN), then in memory, then on every instance. */
  async invalidateTag(tag: string): Promise<void> {
    option.string('tag', tag)
    await this.#store.invalidateTag(tag).catch(ignore)
    this.memory.invalidateTag(tag)
    await this.#announce({ kind: 'tag', tag })
  }

  /** Deletes every key of this cache in Redis (batched SCAN, never KEYS), then in memory, then on every instance. */
  async clear(): Promise<void> {
    await this.#store.clear().catch(ignore)
    this.memory.clear()
    await this.#announce({ kind: 'clear' })
  }

  /**
   * The counters across both tiers, in the shape of `TtlCache.stats()`: `name`, `waiting` (callers
   * waiting for a value that is being read, waited for or loaded), `running` (your loader's calls in
   * flight), `hits` (memory or Redis), `misses` (neither tier), `staleHits`, `loads` and `loadErrors`
   * (of your loader), `evictions` and `size` (memory).
   */
  stats(): TtlCacheStats {
    const memory = this.memory.stats()
    return {
      name: this.name,
      waiting: memory.waiting,
      running: this.#running,
      hits: memory.hits + this.#redisHits,
      misses: this.#redisMisses,
      staleHits: memory.staleHits,
      loads: this.#loads,
      loadErrors: this.#loadErrors,
      evictions: memory.evictions,
      size: memory.size,
    }
  }

  /** Counters of the Redis side: per-tier hits, errors, lock waits, discarded writes, circuit state. */
  redisStats(): RedisTierStats {
    return {
      memoryHits: this.memory.stats().hits,
      redisHits: this.#redisHits,
      redisMisses: this.#redisMisses,
      redisErrors: this.#redisErrors,
      lockWaits: this.#lockWaits,
      lockFallbacks: this.#lockFallbacks,
      discardedWrites: this.#discardedWrites,
      invalidationsReceived: this.#invalidationsReceived,
      circuit: this.#breaker.state,
    }
  }

  /**
   * Stops listening for invalidations, disconnects the subscriber connection if the cache created it,
   * and empties the memory tier. The `redis` client you passed stays open.
   */
  close(): void {
    this.#channel.close(!this.#ownsSubscriber)
    if (this.#ownsSubscriber) this.#subscriber.disconnect()
    this.memory.close()
  }

  /**
   * Passes the memory tier's `event` on while someone listens here; the forwarder removes itself at
   * the first event nobody listens to any more, so the memory tier stops building event objects.
   */
  #forward(event: string): void {
    if (event !== 'hit' && event !== 'stale' && event !== 'evict') return
    if (this.#forwarders.has(event)) return
    // Untyped views: the payload passes through as it is, whichever of the three events it is.
    const memory = this.memory as unknown as EventEmitter<string>
    const emitter = this as unknown as EventEmitter<string>
    const forwarder = (payload: unknown): void => {
      if (this.listenerCount(event) !== 0) {
        emitter.emit(event, payload)
        return
      }
      memory.off(event, forwarder)
      this.#forwarders.delete(event)
    }
    this.#forwarders.set(event, forwarder)
    memory.on(event, forwarder)
  }

  async #fill(
    key: string,
    loader: Loader<string, V>,
    request: FillRequest,
    context: LoadContext<string>,
  ): Promise<V> {
    const fill: Fill = { fromRedis: false }
    this.#fills.set(key, fill)
    try {
      return await this.#fillFromTiers(key, loader, request, context, fill)
    } finally {
      if (this.#fills.get(key) === fill) this.#fills.delete(key)
    }
  }

  async #fillFromTiers(
    key: string,
    loader: Loader<string, V>,
    request: FillRequest,
    context: LoadContext<string>,
    fill: Fill,
  ): Promise<V> {
    let snapshot: ReadSnapshot
    try {
      snapshot = await this.#store.read(key, request.tags)
    } catch {
      this.#countMiss(key)
      return this.#loadFromSource(key, loader, request, context, undefined, undefined)
    }
    const stored = this.#decode(key, snapshot)
    if (stored !== undefined) {
      fill.fromRedis = true
      this.#countRedisHit(key)
      return this.#adopt(stored, snapshot, request, context)
    }
    this.#countMiss(key)
    return this.#loadOnce(key, loader, request, context, snapshot)
  }

  /** Loads under the Redis lock, or waits for the instance that holds it (at most `lockWaitMs`). */
  async #loadOnce(
    key: string,
    loader: Loader<string, V>,
    request: FillRequest,
    context: LoadContext<string>,
    first: ReadSnapshot,
  ): Promise<V> {
    const token = randomUUID()
    const deadline = performance.now() + this.#settings.lockWaitMs
    let snapshot = first
    for (let waited = false; ; waited = true) {
      let locked: boolean
      try {
        locked = await this.#store.acquireLock(key, token)
      } catch {
        return this.#loadFromSource(key, loader, request, context, undefined, undefined)
      }
      if (locked) return this.#loadFromSource(key, loader, request, context, snapshot, token)
      if (!waited) this.#lockWaits++
      const outcome = await waitForHolder(
        this.#store,
        key,
        request.tags,
        snapshot,
        deadline,
        this.#settings.lockPollMs,
        context.signal,
      )
      if (outcome.kind === 'unavailable') {
        return this.#loadFromSource(key, loader, request, context, undefined, undefined)
      }
      const stored = outcome.kind === 'stored' ? this.#decode(key, outcome.snapshot) : undefined
      if (stored !== undefined) return this.#adopt(stored, outcome.snapshot, request, context)
      snapshot = outcome.snapshot
      if (outcome.kind === 'timeout') {
        this.#lockFallbacks++
        return this.#loadFromSource(key, loader, request, context, snapshot, undefined)
      }
    }
  }

  /** Runs your loader; writes the value back to Redis when `snapshot` says Redis is usable. */
  async #loadFromSource(
    key: string,
    loader: Loader<string, V>,
    request: FillRequest,
    context: LoadContext<string>,
    snapshot: ReadSnapshot | undefined,
    token: string | undefined,
  ): Promise<V> {
    let redisTtlMs = request.redisTtlMs
    let tags = request.tags
    const source: LoadContext<string> = {
      key,
      signal: context.signal,
      setTtl: (ttlMs) => {
        const checked = ttlOption('setTtl(ttlMs)', ttlMs)
        redisTtlMs = Number.isFinite(checked) ? checked : request.redisTtlMs
        context.setTtl(Math.min(checked, request.memoryTtlMs))
      },
      setTags: (next) => {
        context.setTags(next)
        tags = tagsOption('setTags(tags)', next)
      },
    }
    let value: V
    try {
      value = await this.#runLoader(key, loader, source)
    } catch (error) {
      if (token !== undefined) await this.#store.releaseLock(key, token).catch(ignore)
      throw error
    }
    if (snapshot !== undefined) {
      await this.#writeBack(key, value, redisTtlMs, tags, snapshot, token, context)
    }
    return value
  }

  async #runLoader(
    key: string,
    loader: Loader<string, V>,
    context: LoadContext<string>,
  ): Promise<V> {
    this.#loads++
    this.#running++
    try {
      const value = await adoptResult(loader(context))
      if (value === undefined) throw new InvalidCacheValueError(key, 'loader', this.name)
      return value
    } catch (error) {
      if (!context.signal.aborted) {
        this.#loadErrors++
        if (this.listenerCount('loadError') !== 0) this.emit('loadError', { key, error })
      }
      throw error
    } finally {
      this.#running--
    }
  }

  async #writeBack(
    key: string,
    value: V,
    ttlMs: number,
    tags: readonly string[],
    snapshot: ReadSnapshot,
    token: string | undefined,
    context: LoadContext<string>,
  ): Promise<void> {
    let envelope: string | undefined
    try {
      if (ttlMs > 0) envelope = encodeEnvelope(tags, this.#serialize(key, value))
    } catch (error) {
      this.#report(error, 'serialize')
    }
    try {
      if (envelope === undefined) {
        if (token !== undefined) await this.#store.releaseLock(key, token)
        return
      }
      const written = await this.#store.writeBack(key, envelope, ttlMs, tags, snapshot, token)
      if (written) return
      // Invalidated while loading: the callers get the value, but neither tier keeps it.
      this.#discardedWrites++
      context.setTtl(0)
    } catch {
      // Reported by the guard; the value stays in memory only.
    }
  }

  /** Hands a value found in Redis to the memory tier, with its stored tags and at most its remaining TTL. */
  #adopt(
    stored: StoredValue<V>,
    snapshot: ReadSnapshot,
    request: FillRequest,
    context: LoadContext<string>,
  ): V {
    context.setTags(stored.tags ?? [])
    context.setTtl(this.#memoryTtl(request, snapshot.remainingTtlMs))
    return stored.value
  }

  #memoryTtl(request: FillRequest, remainingTtlMs: number): number {
    return remainingTtlMs < 0 ? request.memoryTtlMs : Math.min(request.memoryTtlMs, remainingTtlMs)
  }

  #decode(key: string, snapshot: ReadSnapshot): StoredValue<V> | undefined {
    if (snapshot.stored === undefined) return undefined
    try {
      const envelope = decodeEnvelope(snapshot.stored)
      if (envelope === undefined) throw new Error('not a value stored by RedisTtlCache')
      const value = this.#settings.serializer.deserialize(envelope.payload)
      if (value === undefined) throw new Error('deserialized to undefined')
      return { value, tags: envelope.tags }
    } catch (error) {
      this.#report(new SerializationError(key, 'deserialize', error, this.name), 'deserialize')
      return undefined
    }
  }

  #serialize(key: string, value: V): string {
    let text: unknown
    try {
      text = this.#settings.serializer.serialize(value)
    } catch (error) {
      throw new SerializationError(key, 'serialize', error, this.name)
    }
    if (typeof text !== 'string') {
      throw new SerializationError(
        key,
        'serialize',
        new TypeError(`got ${typeof text}, not a string`),
        this.name,
      )
    }
    return text
  }

  #validate(
    key: string,
    loader: Loader<string, V>,
    options: GetOrLoadOptions | undefined,
  ): FillRequest {
    assertKey(key)
    if (typeof loader !== 'function') throw option.invalid('loader', loader, 'a function')
    return this.#requestFor(options, 'getOrLoad() options', redisGetOrLoadSchema)
  }

  /** Checks one call's options and builds its request; a reused frozen bag is checked once. */
  #requestFor(
    options: SetOptions | GetOrLoadOptions | undefined,
    what: string,
    schema: typeof redisSetSchema,
  ): FillRequest {
    if (options === undefined) return this.#defaultRequest
    if (options === this.#lastOptions && schema === redisGetOrLoadSchema) return this.#lastRequest!
    checkCacheOptions(what, options, schema)
    const request = this.#request(options)
    if (Object.isFrozen(options) && schema === redisGetOrLoadSchema) {
      this.#lastOptions = options
      this.#lastRequest = request
    }
    return request
  }

  /** The TTLs and tags of one call whose options were checked already. */
  #request(options: SetOptions | GetOrLoadOptions | undefined): FillRequest {
    const settings = this.#settings
    const redisTtlMs = options?.ttlMs ?? settings.ttlMs
    const memoryTtlMs = Math.min(settings.memoryTtlMs, redisTtlMs)
    const tags = options?.tags === undefined ? [] : Object.freeze([...options.tags])
    return {
      redisTtlMs,
      memoryTtlMs,
      tags,
      // Frozen: the memory tier then checks this bag once, however often it is reused.
      memoryOptions: Object.freeze({ ...options, ttlMs: memoryTtlMs, tags }),
    }
  }

  async #announce(invalidation: Invalidation): Promise<void> {
    await this.#channel.publish(invalidation).catch(ignore)
  }

  #applyRemote(invalidation: Invalidation): void {
    this.#invalidationsReceived++
    if (invalidation.kind === 'key') this.memory.delete(invalidation.key)
    else if (invalidation.kind === 'tag') this.memory.invalidateTag(invalidation.tag)
    else this.memory.clear()
  }

  #countRedisHit(key: string): void {
    this.#redisHits++
    if (this.listenerCount('hit') !== 0) this.emit('hit', { key })
  }

  #countMiss(key: string): void {
    this.#redisMisses++
    if (this.listenerCount('miss') !== 0) this.emit('miss', { key })
  }

  readonly #report = (error: unknown, operation: string): void => {
    this.#redisErrors++
    if (this.listenerCount('redisError') !== 0) this.emit('redisError', { error, operation })
  }

  readonly #reportSubscriberError = (error: unknown): void => this.#report(error, 'subscriber')
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw option.invalid('key', key, 'a string (it becomes a Redis key)')
}

function ignore(): void {}
