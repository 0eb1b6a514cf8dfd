import { waitWithSignal } from './caller-wait.js'
import { AbortError } from './errors.js'
import type { Flight } from './flight.js'
import type { CacheResult } from './ttl-cache-events.js'

/**
 * The loads running right now, at most one per key. An invalidation detaches a key's load so its
 * outcome is not stored (callers already waiting still get it) and the next caller starts afresh: the
 * in-memory form of a version check. A load nobody wants any more has its signal fired.
 */
export class InflightLoads<K, V> {
  readonly #flights = new Map<K, Flight<K, V>>()

  /** How many loads run. */
  get size(): number {
    return this.#flights.size
  }

  /** The key's current load, if one runs. */
  get(key: K): Flight<K, V> | undefined {
    return this.#flights.get(key)
  }

  /** Registers a new load as the key's current one. */
  add(flight: Flight<K, V>): void {
    this.#flights.set(flight.key, flight)
  }

  /** Marks the load settled; returns whether it was still current, i.e. whether its outcome may be stored. */
  settle(flight: Flight<K, V>): boolean {
    flight.settled = true
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
    const shared = withStatus ? flight.missResult() : flight.promise
    if (signal === undefined) return shared
    return waitWithSignal<V | CacheResult<V>>(
      shared,
      signal,
      () => this.#leave(flight),
      `the load of key ${String(flight.key)}`,
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
    flight.waiters--
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
        `Nobody waits for the load of key ${String(flight.key)} any more`,
        'no waiting callers',
      ),
    )
  }
}
