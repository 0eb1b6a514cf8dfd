import { AbortError } from '@loopwork/internal'
import type { CacheResult } from '../types.js'
import { waitWithSignal } from './caller-wait.js'
import type { Flight } from './flight.js'

/**
 * The loads running right now, at most one current load per key. An invalidation detaches a key's
 * load so its outcome is not stored (callers already waiting still get it) and the next caller starts
 * afresh: the in-memory form of a version check. A load nobody wants any more has its signal fired.
 * Counts the callers waiting and the loader calls running, for `stats()`.
 */
export class InflightLoads<K, V> {
  readonly #flights = new Map<K, Flight<K, V>>()
  readonly #cacheName: string
  /** Callers waiting for a load that has not settled. */
  waiting = 0
  /** Loader calls that have not settled, detached or abandoned ones included. */
  running = 0

  constructor(cacheName: string) {
    this.#cacheName = cacheName
  }

  /** The key's current load, if one runs. */
  get(key: K): Flight<K, V> | undefined {
    return this.#flights.get(key)
  }

  /** Registers a new load as the key's current one. */
  add(flight: Flight<K, V>): void {
    this.#flights.set(flight.key, flight)
    this.running++
  }

  /** Marks the load settled; returns whether it was still current, i.e. whether its outcome may be stored. */
  settle(flight: Flight<K, V>): boolean {
    flight.settled = true
    this.running--
    this.waiting -= flight.waiters
    flight.waiters = 0
    if (!flight.attached) return false
    this.#flights.delete(flight.key)
    flight.attached = false
    return true
  }

  /** Adds a caller to the load; its promise is the shared one unless the caller has a signal. */
  join(flight: Flight<K, V>, signal: AbortSignal | undefined, withStatus: false): Promise<V>
  join(
    flight: Flight<K, V>,
    signal: AbortSignal | undefined,
    withStatus: true,
  ): Promise<CacheResult<V>>
  join(
    flight: Flight<K, V>,
    signal: AbortSignal | undefined,
    withStatus: boolean,
  ): Promise<V | CacheResult<V>> {
    flight.waiters++
    this.waiting++
    const shared = withStatus ? flight.missResult() : flight.promise
    if (signal === undefined) return shared
    return waitWithSignal<V | CacheResult<V>>(
      shared,
      signal,
      () => this.#leave(flight),
      `the load of key ${String(flight.key)} in cache ${JSON.stringify(this.#cacheName)}`,
    )
  }

  /** Detaches the key's load, if one runs. */
  detach(key: K): void {
    const flight = this.#flights.get(key)
    if (flight !== undefined) this.#detach(flight)
  }

  /** Detaches every load that stores its value with `tag`. */
  detachTagged(tag: string): void {
    for (const flight of this.#flights.values()) {
      if (flight.tags?.includes(tag)) this.#detach(flight)
    }
  }

  /** Detaches every load. */
  detachAll(): void {
    for (const flight of [...this.#flights.values()]) this.#detach(flight)
  }

  #detach(flight: Flight<K, V>): void {
    this.#flights.delete(flight.key)
    flight.attached = false
    this.#abortIfUnwanted(flight)
  }

  #leave(flight: Flight<K, V>): void {
    // The outcome may be known already while this caller's own reaction has not run yet.
    if (flight.settled) return
    flight.waiters--
    this.waiting--
    this.#abortIfUnwanted(flight)
  }

  /** A load is wanted while a caller waits, or while it is the current refresh of a stale value. */
  #abortIfUnwanted(flight: Flight<K, V>): void {
    if (flight.settled || flight.waiters > 0 || (flight.background && flight.attached)) return
    if (flight.attached) {
      this.#flights.delete(flight.key)
      flight.attached = false
    }
    flight.abort(
      new AbortError(
        `Nobody waits for the load of key ${String(flight.key)} in cache ${JSON.stringify(this.#cacheName)} any more`,
        'no waiting callers',
      ),
    )
  }
}
