import {
  AbortError,
  abortErrorFor,
  adoptThenable,
  describeValue,
  LinkedList,
  QueueFullError,
} from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { EventEmitter } from 'eventemitter3'
import { BatchFailedError } from './errors.js'
import { Batch } from './internal/batch.js'
import { BatchCounters } from './internal/batch-counters.js'
import { BatchOutcome, outcomeOf } from './internal/batch-outcome.js'
import {
  type BatcherSettings,
  checkLoadManyOptions,
  checkLoadOptions,
  settingsFrom,
} from './internal/batcher-settings.js'
import { keepHiddenClass } from './internal/hidden-class-samples.js'
import { type LoadCanceller, SignalledLoad } from './internal/signalled-load.js'
import type { SlotState } from './internal/slot-state.js'
import type {
  BatchEvent,
  BatcherEvents,
  BatcherOptions,
  BatcherStats,
  BatchFunction,
  LoadManyOptions,
  LoadOptions,
} from './types.js'

/**
 * Batches whose end-of-tick job is queued, in the order of their jobs (see `#onTickJob`), linked
 * through `nextInTickJobs`.
 */
const tickJobs: {
  first: Batch<unknown, unknown> | undefined
  last: Batch<unknown, unknown> | undefined
} = {
  first: undefined,
  last: undefined,
}
const resolved = Promise.resolve()

/**
 * Collects single lookups into batches and answers them from one batch function call (the N+1 fix),
 * with a time window (10 ms by default) that batches across requests, a `concurrency` bound on
 * running batches, a `maxWaiting` bound on waiting keys, per-load abort and no per-result cache.
 *
 * No timer exists while no key waits: each batch arms one timer (or, with `windowMs: 0`, one
 * end-of-tick job) when its first key arrives, never one per load, so an idle batcher holds no handle.
 *
 * The batch function runs in the AsyncLocalStorage context of the load that opened its batch (its
 * first key), whatever triggers the dispatch (window end, a full batch, a freed concurrency slot);
 * each caller resumes in its own context.
 *
 * @example
 * const users = new Batcher<number, User>(async (ids) => db.usersByIds(ids), { maxBatchSize: 100 })
 * const user = await users.load(42, { signal: request.signal })
 */
export class Batcher<K, V> extends EventEmitter<BatcherEvents> {
  /** The batcher's name (the `name` option), used in errors, events and `stats()`. */
  readonly name: string
  readonly #batchFunction: BatchFunction<K, V>
  readonly #settings: BatcherSettings<K>
  /** Copied from the settings: read by every load. */
  readonly #cacheKeyOf: ((key: K) => unknown) | undefined
  /** The batch collecting keys, if any. */
  #open: Batch<K, V> | undefined = undefined
  /** Closed batches waiting for a concurrency slot, oldest first. */
  readonly #queue = new LinkedList<Batch<K, V>>()
  #timer: ReturnType<typeof setTimeout> | undefined = undefined
  /** Batches whose batch function was called and has not settled. */
  #running = 0
  /** Positions in queued batches: what `maxWaiting` bounds, with the collecting batch's. */
  #queuedKeys = 0
  /** Positions in queued batches whose callers all aborted (still held until dispatch). */
  #queuedAbandoned = 0
  readonly #counters = new BatchCounters()
  readonly #canceller: LoadCanceller<K, V> = { cancel: (load) => this.#cancel(load) }
  /** Whether batches may be started outside their own timer or tick job, needing a start reaction. */
  readonly #startsElsewhere: boolean

  // The callbacks handed to the scheduler are static, never one closure per batcher: optimized code
  // that calls them would hold that closure, and lose its optimization when the batcher is collected.

  /** The window of the collecting batch elapsed (its timer fired). */
  static #onWindowEnd<K, V>(batcher: Batcher<K, V>): void {
    batcher.#timer = undefined
    if (batcher.#open !== undefined) batcher.#windowElapsed(batcher.#open)
  }

  // End-of-tick scheduling: a promise job queued now runs after this turn's promise jobs and queues
  // a nextTick, which runs once they have drained, before any I/O or timer. The jobs are reactions
  // to one resolved promise and take their batches from a queue in the same order, since promise jobs
  // run in the order they were queued: no promise per batch, and no batch object to resolve a promise
  // with (resolving with an object looks up its `then`).
  static #onTickJob(): void {
    const batch = tickJobs.first!
    tickJobs.first = batch.nextInTickJobs
    if (tickJobs.first === undefined) tickJobs.last = undefined
    else batch.nextInTickJobs = undefined
    process.nextTick(Batcher.#onTickEnd, batch)
  }

  static #onTickEnd<K, V>(batch: Batch<K, V>): void {
    const batcher = batch.batcher as Batcher<K, V>
    if (batch === batcher.#open) {
      batcher.#windowElapsed(batch)
    } else if (batch.callAtTickEnd) {
      batch.callAtTickEnd = false
      batcher.#callBatchFunction(batch)
    }
  }

  /** A batch's start reaction: calls its batch function in its first caller's context. */
  static #onStart<K, V>(batch: Batch<K, V>): void {
    ;(batch.batcher as Batcher<K, V>).#callBatchFunction(batch)
  }

  /**
   * @param batchFunction Loads many keys at once; see {@link BatchFunction}.
   * @param options Window, bounds and key handling; see {@link BatcherOptions}.
   */
  constructor(batchFunction: BatchFunction<K, V>, options?: BatcherOptions<K>) {
    super()
    option.function('batchFunction', batchFunction)
    this.#batchFunction = batchFunction
    this.#settings = settingsFrom(options)
    this.#cacheKeyOf = this.#settings.cacheKeyOf
    this.name = this.#settings.name
    this.#startsElsewhere =
      this.#settings.windowMs > 0 || this.#settings.concurrency !== Number.POSITIVE_INFINITY
  }

  /**
   * Loads one key through the next batch and resolves with its value. Rejects with the key's own
   * `Error` value, `MissingKeyError`, `BatchFailedError` (the batch function threw; its error is the
   * `cause`), `BatchShapeError`, `AbortError` (the signal fired), `QueueFullError` (`maxWaiting`
   * keys already wait), or a `TypeError` for an invalid option. Never throws synchronously.
   */
  load(key: K, options?: LoadOptions): Promise<V> {
    if (options !== undefined) return this.#loadWithOptions(key, options)
    let cacheKey: unknown = key
    if (this.#cacheKeyOf !== undefined) {
      try {
        cacheKey = this.#cacheKeyOf(key)
      } catch (error) {
        return Promise.reject(error)
      }
    }
    let batch = this.#open
    if (batch !== undefined) {
      // No dedupe index when dedupe is off, so every load adds its key.
      const asked = batch.promisesByKey?.get(cacheKey)
      if (asked !== undefined) return this.#joinWithoutSignal(batch, asked)
    } else {
      batch = this.#openBatch()
      if (batch === undefined) return this.#shed()
    }
    const promise = batch.add(key, cacheKey)
    if (batch.keys.length >= batch.limit) this.#close(batch)
    return promise
  }

  /**
   * Loads several keys (through as few batches as fit) and, by default, settles each like
   * `Promise.allSettled`; with `rejectOnError: true` resolves with the values like `Promise.all`.
   */
  loadMany(
    keys: Iterable<K>,
    options?: LoadManyOptions & { readonly rejectOnError?: false },
  ): Promise<PromiseSettledResult<V>[]>
  loadMany(
    keys: Iterable<K>,
    options: LoadManyOptions & { readonly rejectOnError: true },
  ): Promise<V[]>
  loadMany(keys: Iterable<K>, options?: LoadManyOptions): Promise<PromiseSettledResult<V>[] | V[]>
  loadMany(keys: Iterable<K>, options?: LoadManyOptions): Promise<PromiseSettledResult<V>[] | V[]> {
    try {
      checkLoadManyOptions(options)
      if (typeof (keys as Iterable<K> | null | undefined)?.[Symbol.iterator] !== 'function') {
        throw Object.assign(
          new TypeError(`loadMany() keys must be an iterable, got ${describeValue(keys)}`),
          { code: 'ERR_INVALID_ARG_TYPE' },
        )
      }
    } catch (error) {
      return Promise.reject(error)
    }
    const signal = options?.signal
    const loads: Promise<V>[] = []
    for (const key of keys) {
      loads.push(signal === undefined ? this.load(key) : this.#loadWithSignal(key, signal))
    }
    return options?.rejectOnError === true ? Promise.all(loads) : Promise.allSettled(loads)
  }

  /** A snapshot of the batcher's state and counters: a fresh object on every call. */
  stats(): BatcherStats {
    const counters = this.#counters
    return {
      name: this.name,
      waiting: (this.#open?.size ?? 0) + this.#queuedKeys - this.#queuedAbandoned,
      running: this.#running,
      waitingBatches: this.#queue.length,
      batches: counters.batches,
      keys: counters.keys,
      meanBatchSize: counters.meanBatchSize,
      largestBatch: counters.largestBatch,
      failedBatches: counters.failedBatches,
      dedupedLoads: counters.dedupedLoads,
      abortedLoads: counters.abortedLoads,
      rejectedLoads: counters.rejectedLoads,
      meanWaitMs: counters.meanWaitMs,
      longestWaitMs: counters.longestWaitMs,
    }
  }

  #loadWithOptions(key: K, options: LoadOptions): Promise<V> {
    try {
      checkLoadOptions(options)
    } catch (error) {
      return Promise.reject(error)
    }
    const signal = options.signal
    return signal === undefined ? this.load(key) : this.#loadWithSignal(key, signal)
  }

  #loadWithSignal(key: K, signal: AbortSignal): Promise<V> {
    if (signal.aborted) {
      this.#counters.abortedLoads++
      return Promise.reject(this.#abortError(signal))
    }
    let cacheKey: unknown = key
    try {
      if (this.#cacheKeyOf !== undefined) cacheKey = this.#cacheKeyOf(key)
    } catch (error) {
      return Promise.reject(error)
    }
    let batch = this.#open
    const asked = batch?.promisesByKey?.get(cacheKey)
    let slot: SlotState<V>
    if (asked !== undefined) {
      slot = batch!.stateOf(asked)
      this.#counters.dedupedLoads++
    } else {
      batch ??= this.#openBatch()
      if (batch === undefined) return this.#shed()
      slot = batch.addSignalled(key, cacheKey)
    }
    const { promise, resolve, reject } = Promise.withResolvers<V>()
    slot.promise.then(resolve, reject)
    const load = new SignalledLoad(this.#canceller, batch!, slot, signal, reject)
    slot.liveLoads++
    batch!.signalledCallers++
    batch!.signalled ??= []
    batch!.signalled.push(load)
    signal.addEventListener('abort', load, { once: true })
    if (asked === undefined && batch!.keys.length >= batch!.limit) this.#close(batch!)
    return promise
  }

  #joinWithoutSignal(batch: Batch<K, V>, asked: Promise<V>): Promise<V> {
    if (batch.signalOnlySlots > 0) batch.joinedWithoutSignal(asked)
    this.#counters.dedupedLoads++
    return asked
  }

  #shed(): Promise<never> {
    this.#counters.rejectedLoads++
    const limit = this.#settings.maxWaiting
    return Promise.reject(
      new QueueFullError(
        `Batcher "${this.name}" already has maxWaiting (${limit}) keys waiting for a batch; raise maxWaiting or concurrency, or shed load upstream`,
        'maxWaiting',
        limit,
      ),
    )
  }

  #abortError(signal: AbortSignal): AbortError {
    return abortErrorFor(`A load of batcher "${this.name}" was aborted`, signal)
  }

  /** Opens a batch, or returns `undefined` when `maxWaiting` leaves no room for one more key. */
  #openBatch(): Batch<K, V> | undefined {
    const settings = this.#settings
    const room = settings.maxWaiting - this.#queuedKeys
    if (room <= 0) return undefined
    const batch = new Batch<K, V>(
      this,
      settings.dedupe,
      Math.min(settings.maxBatchSize, room),
      performance.now(),
      this.#startsElsewhere ? Batcher.#onStart : undefined,
    )
    this.#open = batch
    if (settings.windowMs === 0) {
      const queued = batch as Batch<unknown, unknown>
      if (tickJobs.last === undefined) tickJobs.first = queued
      else tickJobs.last.nextInTickJobs = queued
      tickJobs.last = queued
      resolved.then(Batcher.#onTickJob)
    } else {
      // Not unref()ed, unlike a timeout: this timer sends keys that callers await, and it lives at
      // most windowMs. A script whose last step is `await batcher.load(key)` must not exit before it
      // fires.
      this.#timer = setTimeout(Batcher.#onWindowEnd, settings.windowMs, this)
    }
    return batch
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /**
   * The collecting batch reached its limit (`maxBatchSize`, or the room `maxWaiting` left): start it
   * now, or queue it if every concurrency slot is taken.
   */
  #close(batch: Batch<K, V>): void {
    this.#open = undefined
    this.#clearTimer()
    // With windowMs 0 its end-of-tick job is still due and calls it, as a full batch of one tick.
    if (this.#hasFreeSlot()) {
      this.#start(batch, this.#settings.windowMs === 0 ? 'at-tick-end' : 'by-reaction')
    } else {
      this.#queue.push(batch)
      this.#queuedKeys += batch.keys.length
      this.#queuedAbandoned += batch.abandoned
    }
  }

  /** Runs in the first caller's context (the batch's own timer or end-of-tick job). */
  #windowElapsed(batch: Batch<K, V>): void {
    if (this.#hasFreeSlot()) {
      this.#open = undefined
      this.#start(batch, 'now')
    } else {
      // Keep collecting into it until a slot frees, so a saturated backend gets fuller batches.
      batch.due = true
    }
  }

  /** A batch may start now: a concurrency slot is free and no older full batch waits for one. */
  #hasFreeSlot(): boolean {
    return this.#running < this.#settings.concurrency && this.#queue.length === 0
  }

  #cancel(load: SignalledLoad<K, V>): void {
    load.done = true
    this.#counters.abortedLoads++
    const reason: unknown = load.signal.reason
    load.reject(this.#abortError(load.signal))
    const batch = load.batch
    const slot = load.slot
    batch.signalledCallers--
    slot.liveLoads--
    batch.forgetAborted()
    if (batch.dispatched) {
      if (batch.signalledCallers === 0 && batch.signalOnlySlots === batch.size) {
        batch.abort(
          new AbortError(`Every caller of a batch of batcher "${this.name}" aborted`, reason),
        )
      }
      return
    }
    if (slot.shared || slot.liveLoads > 0) return
    batch.abandon(slot)
    const queued = batch !== this.#open
    if (queued) this.#queuedAbandoned++
    if (batch.size > 0) return
    if (queued) this.#dequeue(batch)
    else this.#forgetOpen()
  }

  /** Forgets the collecting batch (every caller abandoned it), with its timer. */
  #forgetOpen(): void {
    this.#open = undefined
    this.#clearTimer()
  }

  /** Takes a batch out of the queue (to start it, or because every caller abandoned it). */
  #dequeue(batch: Batch<K, V>): void {
    this.#queue.remove(batch)
    this.#queuedKeys -= batch.keys.length
    this.#queuedAbandoned -= batch.abandoned
  }

  /**
   * Takes a concurrency slot for a batch and has its batch function called in the first caller's
   * context: right here (from the batch's own timer or tick job), by its still pending end-of-tick
   * job, or through its start reaction.
   */
  #start(batch: Batch<K, V>, when: 'now' | 'at-tick-end' | 'by-reaction'): void {
    batch.seal()
    batch.dispatched = true
    this.#running++
    if (when === 'now') this.#callBatchFunction(batch)
    else if (when === 'at-tick-end') batch.callAtTickEnd = true
    else batch.start!(batch)
  }

  #callBatchFunction(batch: Batch<K, V>): void {
    const now = performance.now()
    batch.dispatchedAt = now
    this.#counters.recordCall(batch.size, now - batch.openedAt)
    let result: unknown
    try {
      result = this.#batchFunction(batch.keys, batch.context())
    } catch (error) {
      this.#fail(batch, error)
      return
    }
    // A thenable's `then` is read and called once (a lazy query must not run twice); a synchronous
    // result is used at once.
    const adopted = adoptThenable(result)
    if (adopted === undefined) {
      this.#complete(batch, result)
    } else {
      adopted.then(
        (value) => this.#complete(batch, value),
        (error: unknown) => this.#fail(batch, error),
      )
    }
  }

  #complete(batch: Batch<K, V>, result: unknown): void {
    let outcome: BatchOutcome | Error
    try {
      outcome = outcomeOf(result, batch.keys, batch.indexOfPosition, this.#settings.matching)
    } catch (cause) {
      // Only the cacheKey option, called to find a key in a Map result, can throw here.
      outcome = new BatchFailedError(this.name, batch.size, cause)
    }
    if (outcome instanceof BatchOutcome) {
      batch.resolve(outcome)
      this.#finish(batch, undefined)
    } else {
      batch.reject(outcome)
      this.#finish(batch, outcome)
    }
  }

  #fail(batch: Batch<K, V>, cause: unknown): void {
    const error = new BatchFailedError(this.name, batch.size, cause)
    batch.reject(error)
    this.#finish(batch, error)
  }

  #finish(batch: Batch<K, V>, error: Error | undefined): void {
    this.#running--
    if (error !== undefined) this.#counters.failedBatches++
    if (this.#queue.length > 0 || this.#open?.due === true) this.#startWaiting()
    if (this.listenerCount('batch') > 0) {
      const event: BatchEvent = {
        name: this.name,
        size: batch.size,
        durationMs: performance.now() - batch.dispatchedAt,
        waitMs: batch.dispatchedAt - batch.openedAt,
        ...(error === undefined ? {} : { error }),
      }
      this.#emitBatch(event)
    }
  }

  /** Starts waiting batches, oldest first, then a due collecting batch, while slots are free. */
  #startWaiting(): void {
    const settings = this.#settings
    while (this.#running < settings.concurrency) {
      let batch = this.#queue.head
      if (batch === undefined) {
        if (this.#open?.due !== true) break
        batch = this.#open
        this.#open = undefined
      } else {
        this.#dequeue(batch)
      }
      this.#start(batch, 'by-reaction')
    }
    // The collecting batch may grow into the room the started batches left.
    const open = this.#open
    if (open !== undefined) {
      open.limit = Math.min(settings.maxBatchSize, settings.maxWaiting - this.#queuedKeys)
    }
  }

  /** A throwing listener must not leave the batcher half-updated or surface as an unhandled rejection. */
  #emitBatch(event: BatchEvent): void {
    try {
      this.emit('batch', event)
    } catch (error) {
      queueMicrotask(() => {
        throw error
      })
    }
  }
}

keepHiddenClass(new Batcher<unknown, unknown>(() => []))
