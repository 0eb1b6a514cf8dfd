import type { ListNode } from '@loopwork/internal'
import type { BatchFunctionContext } from '../types.js'
import { type BatchOutcome, takeNext } from './batch-outcome.js'
import { keepHiddenClass } from './hidden-class-samples.js'
import type { SignalledLoad } from './signalled-load.js'
import { SlotState } from './slot-state.js'

/** Marks a position whose every caller aborted before dispatch; never handed to the batch function. */
const ABANDONED: unique symbol = Symbol('abandoned position')

/** Callers in `signalled` that aborted are compacted away past this many (and half the list). */
const COMPACT_ABORTED_AFTER = 32

/**
 * One batch: the distinct keys collected during one window, by position (first-asked order), and the
 * promise they all settle from. It is also a node of the list of batches waiting for a concurrency
 * slot.
 */
export class Batch<K, V> implements ListNode<Batch<K, V>> {
  /**
   * Keys by position. An abandoned key keeps its position (and counts toward `limit`) until
   * dispatch, so a batch never grows past its limit however many loads abort.
   */
  keys: K[] = []
  /** The batcher that opened it, for its scheduling callbacks (shared by every batcher). */
  readonly batcher: unknown
  /** Dedupe index from cache key to the key's promise; `undefined` when dedupe is off. */
  readonly promisesByKey: Map<unknown, Promise<V>> | undefined
  /**
   * The batch closes when it has this many positions: `maxBatchSize`, or fewer when `maxWaiting`
   * leaves less room, so one compare per load enforces both bounds.
   */
  limit: number
  /** Positions every caller abandoned before dispatch. */
  abandoned = 0
  /** Keys only callers with a signal wait for; once all of them abort, the batch signal fires. */
  signalOnlySlots = 0
  /** Callers with a signal that still wait. */
  signalledCallers = 0
  /** Every caller with a signal, to stop listening once the batch settles. */
  signalled: SignalledLoad<K, V>[] | undefined = undefined
  /** The window elapsed while every concurrency slot was taken: dispatch as soon as one frees. */
  due = false
  /** Started (holds a concurrency slot): no key joins or leaves it any more. */
  dispatched = false
  /** Started by filling up with `windowMs: 0`: its end-of-tick job calls the batch function. */
  callAtTickEnd = false
  /** `performance.now()` when the first key arrived. */
  readonly openedAt: number
  /** `performance.now()` at the batch function call; NaN before (a number that takes fractions). */
  dispatchedAt = Number.NaN
  /** Position to index in the dispatched keys, when positions were abandoned. */
  indexOfPosition: Int32Array | undefined = undefined
  previous: Batch<K, V> | undefined = undefined
  next: Batch<K, V> | undefined = undefined
  /** The batch whose end-of-tick job comes after this one's (see the batcher's tick jobs). */
  nextInTickJobs: Batch<unknown, unknown> | undefined = undefined
  /**
   * Calls the batch function from a promise reaction registered when the batch opened, so it runs
   * in the first caller's async context even when a later load or another batch triggers it. Only
   * created when the batch may be started that way (a window or a concurrency cap).
   */
  readonly start: ((batch: Batch<K, V>) => void) | undefined
  // TypeScript `private` rather than `#private`: V8's mid-tier compiler, which is as far as code run
  // once per batch usually gets, does not inline the definition of a `#private` field (or the brand
  // a `#private` method adds), so each one would cost a call per batch.
  private readonly settled: Promise<BatchOutcome>
  private readonly resolveSettled: (outcome: BatchOutcome) => void
  private readonly rejectSettled: (error: Error) => void
  /** Slots with callers that have a signal, by their promise. */
  private states: Map<Promise<V>, SlotState<V>> | undefined = undefined
  private abortedSignalled = 0
  private controller: AbortController | undefined = undefined
  private abortReason: Error | undefined = undefined

  constructor(
    batcher: unknown,
    dedupe: boolean,
    limit: number,
    openedAt: number,
    call: ((batch: Batch<K, V>) => void) | undefined,
  ) {
    this.batcher = batcher
    this.promisesByKey = dedupe ? new Map() : undefined
    this.limit = limit
    this.openedAt = openedAt
    if (call === undefined) {
      this.start = undefined
    } else {
      const started = Promise.withResolvers<Batch<K, V>>()
      started.promise.then(call)
      this.start = started.resolve
    }
    const { promise, resolve, reject } = Promise.withResolvers<BatchOutcome>()
    this.settled = promise
    this.resolveSettled = resolve
    this.rejectSettled = reject
  }

  /** Keys still wanted by a caller. */
  get size(): number {
    return this.keys.length - this.abandoned
  }

  /** Adds a key; returns the promise all its callers settle from. */
  add(key: K, cacheKey: unknown): Promise<V> {
    // The reaction is registered now, in position order: that order is how it finds its value.
    const promise = this.settled.then(takeNext) as Promise<V>
    this.keys.push(key)
    this.promisesByKey?.set(cacheKey, promise)
    return promise
  }

  /** Adds a key asked by a caller with a signal; returns the slot's bookkeeping. */
  addSignalled(key: K, cacheKey: unknown): SlotState<V> {
    const state = new SlotState(this.keys.length, this.add(key, cacheKey), cacheKey, false)
    this.states ??= new Map()
    this.states.set(state.promise, state)
    this.signalOnlySlots++
    return state
  }

  /** A caller without a signal joined `promise`'s key: that key can no longer be abandoned. */
  joinedWithoutSignal(promise: Promise<V>): void {
    const state = this.states?.get(promise)
    if (state !== undefined && !state.shared) {
      state.shared = true
      this.signalOnlySlots--
    }
  }

  /** The bookkeeping of a key a caller with a signal joins. */
  stateOf(promise: Promise<V>): SlotState<V> {
    let state = this.states?.get(promise)
    if (state === undefined) {
      // First asked by a caller without a signal, so it is never abandoned: no position needed.
      state = new SlotState(-1, promise, undefined, true)
      this.states ??= new Map()
      this.states.set(promise, state)
    }
    return state
  }

  /** Every caller of a key aborted before dispatch: the key is not sent. */
  abandon(state: SlotState<V>): void {
    if (this.promisesByKey?.get(state.cacheKey) === state.promise) {
      this.promisesByKey.delete(state.cacheKey)
    }
    this.keys[state.position] = ABANDONED as K
    this.abandoned++
    this.signalOnlySlots--
  }

  /** A caller with a signal aborted; its entry in `signalled` is dropped in bulk, amortised O(1). */
  forgetAborted(): void {
    this.abortedSignalled++
    const signalled = this.signalled!
    if (
      this.abortedSignalled > COMPACT_ABORTED_AFTER &&
      this.abortedSignalled * 2 > signalled.length
    ) {
      this.signalled = signalled.filter((load) => !load.done)
      this.abortedSignalled = 0
    }
  }

  /** Fixes the keys to send: drops abandoned positions and maps positions to result indexes. */
  seal(): void {
    if (this.abandoned === 0) return
    const keys: K[] = []
    const indexOfPosition = new Int32Array(this.keys.length)
    for (let position = 0; position < this.keys.length; position++) {
      const key = this.keys[position]!
      if (key === ABANDONED) {
        indexOfPosition[position] = -1
      } else {
        indexOfPosition[position] = keys.length
        keys.push(key)
      }
    }
    this.keys = keys
    this.abandoned = 0
    this.indexOfPosition = indexOfPosition
  }

  resolve(outcome: BatchOutcome): void {
    this.resolveSettled(outcome)
    this.stopListening()
  }

  reject(error: Error): void {
    this.rejectSettled(error)
    this.stopListening()
  }

  /** The context handed to the batch function; its signal is created only if the function reads it. */
  context(): BatchFunctionContext {
    return new BatchCall(this)
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason)
    }
    return this.controller.signal
  }

  /** Every caller aborted after dispatch: fire the batch function's signal. */
  abort(reason: Error): void {
    if (this.abortReason !== undefined) return
    this.abortReason = reason
    this.controller?.abort(reason)
  }

  private stopListening(): void {
    const signalled = this.signalled
    if (signalled === undefined) return
    for (const load of signalled) load.stopListening()
  }
}

/** The batch function's view of its batch: only the signal. */
class BatchCall<K, V> implements BatchFunctionContext {
  readonly #batch: Batch<K, V>

  constructor(batch: Batch<K, V>) {
    this.#batch = batch
  }

  get signal(): AbortSignal {
    return this.#batch.signal
  }
}

// A limit of Infinity and a NaN start time make both fields numbers that take fractions.
const sampleBatch = new Batch<unknown, unknown>(
  undefined,
  false,
  Number.POSITIVE_INFINITY,
  Number.NaN,
  undefined,
)
keepHiddenClass(sampleBatch)
keepHiddenClass(new BatchCall(sampleBatch))
