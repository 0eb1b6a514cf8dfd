import type { TtlCacheEvents } from '../ttl-cache-events.js'
import type { CircuitState } from './circuit-breaker.js'

/** Counters of the Redis side of a {@link RedisTtlCache}, as `redisStats()` returns them. */
export interface RedisTierStats {
  /** Lookups answered from this instance's memory. */
  readonly memoryHits: number
  /** Lookups that missed memory and found the value in Redis. */
  readonly redisHits: number
  /** Lookups that found the value in neither tier (or could not ask Redis). */
  readonly redisMisses: number
  /** Redis calls that failed or timed out (each also emitted as `redisError`). */
  readonly redisErrors: number
  /** Lookups that waited for another instance's load. */
  readonly lockWaits: number
  /** Waits that gave up after `lockWaitMs` and loaded by themselves. */
  readonly lockFallbacks: number
  /** Loaded values not written back because they were invalidated while loading. */
  readonly discardedWrites: number
  /** Invalidations received from other instances. */
  readonly invalidationsReceived: number
  /** The circuit breaker's state. */
  readonly circuit: CircuitState
}

/**
 * Events of a {@link RedisTtlCache}: those of `TtlCache` across both tiers (a Redis hit is a `hit`, a
 * `miss` means neither tier had it), plus Redis failures and circuit changes.
 */
export interface RedisTtlCacheEvents extends TtlCacheEvents<string> {
  /** A Redis call failed or timed out; the cache carried on from memory. */
  redisError: (error: unknown, operation: string) => void
  /** The circuit breaker changed state. */
  circuit: (state: CircuitState) => void
}
