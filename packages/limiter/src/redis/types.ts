import type { Cluster, Redis } from 'ioredis'
import type { AcquireOptions, CapacityLimiterRejectReason, CapacityLimiterStats } from '../types.js'
import type { RedisLease } from './redis-lease.js'

/**
 * What a `RedisCapacityLimiter` does while Redis cannot be reached:
 * - `'failClosed'`: every call that needs Redis is refused at once with a `RedisUnavailableError`
 *   (nothing runs beyond the shared limit, but nothing runs at all);
 * - `'failOpen'`: calls are admitted by a local limit of `fallbackTokens` per instance, FIFO, with
 *   the same `signal`, `timeoutMs` and `maxWaiting` rules (work goes on, bounded per instance).
 */
export type OutageMode = 'failClosed' | 'failOpen'

/** Options of a `RedisCapacityLimiter`. Every key is checked: a misspelled one is a `TypeError`. */
export interface RedisCapacityLimiterOptions {
  /**
   * The ioredis connection the limiter runs its scripts on (a `Redis` to a standalone server or
   * through Sentinel). It is shared with your own commands and is **not** closed by `close()`.
   * Do not set ioredis' own `keyPrefix` on it: use `keyPrefix` here. One more connection, made with
   * `redis.duplicate()`, waits for hand-overs; the limiter opens it on the first wait and closes it
   * in `close()`.
   *
   * @example new RedisCapacityLimiter({ redis: new Redis(process.env.REDIS_URL), name: 'payments-api', totalTokens: 20 })
   */
  readonly redis: Redis | Cluster

  /**
   * The shared limit's name: every instance created with the same `name` (and `keyPrefix`) on the
   * same Redis shares one pool of tokens. Required, because two unrelated limiters that both
   * defaulted to one name would silently share a limit. A non-empty string without `{` or `}`
   * (the name becomes the Redis Cluster hash tag of the limiter's keys).
   *
   * @example new RedisCapacityLimiter({ redis, name: 'geocoder' })
   */
  readonly name: string

  /**
   * The shared number of tokens, used only when Redis has none stored for this `name` yet: the
   * limit lives in Redis, and `limiter.totalTokens = n` on any instance changes it for all of them.
   * An instance created with a different value keeps the stored one and emits a process warning
   * (code `LOOPWORK_LIMIT_MISMATCH`). A positive integer.
   *
   * @default 40
   * @example new RedisCapacityLimiter({ redis, name: 'geocoder', totalTokens: 10 })
   */
  readonly totalTokens?: number | undefined

  /**
   * How many callers of **this instance** may wait for a token (queued in Redis or on their way
   * there) before further callers are refused at once with a `QueueFullError`. `0` means "never
   * wait": a caller gets a token that is free cluster-wide, or is refused. `Infinity` removes the
   * bound. Changeable later through `limiter.maxWaiting`.
   *
   * @default 10_000
   * @example new RedisCapacityLimiter({ redis, name: 'geocoder', maxWaiting: 500 })
   */
  readonly maxWaiting?: number | undefined

  /**
   * Prefix of every Redis key of the limiter. Keys are `<keyPrefix>{<name>}:<part>`, so all keys of
   * one limiter share one Cluster hash slot.
   *
   * @default 'loopwork:limiter:'
   * @example new RedisCapacityLimiter({ redis, name: 'geocoder', keyPrefix: 'shop:' })
   */
  readonly keyPrefix?: string | undefined

  /**
   * How long a token stays borrowed without a sign of life from its holder, in milliseconds. Each
   * instance renews its leases (and its waiters' places in the queue) every `leaseMs / 3` in one
   * call, so a holder that dies (killed, partitioned) gives its tokens back within about `leaseMs`.
   * A lease that could not be renewed in time is lost: its `signal` aborts and `leaseLost` is
   * emitted. Keep it well above your longest event-loop stall (GC pauses, CPU-bound work) and above
   * `commandTimeoutMs`. From 30 to 2,147,483,647.
   *
   * @default 10_000
   * @example new RedisCapacityLimiter({ redis, name: 'geocoder', leaseMs: 30_000 })
   */
  readonly leaseMs?: number | undefined

  /**
   * The longest any single Redis call of the limiter may take, in milliseconds. A call that fails
   * or takes longer puts the limiter into its outage mode (see `onOutage`) until Redis answers
   * again. An ioredis command can otherwise wait in the offline queue for as long as reconnecting
   * takes. From 1 to 2,147,483,647.
   *
   * @default 2_000
   * @example new RedisCapacityLimiter({ redis, name: 'geocoder', commandTimeoutMs: 500 })
   */
  readonly commandTimeoutMs?: number | undefined

  /**
   * What to do while Redis cannot be reached: `'failClosed'` refuses calls with a
   * `RedisUnavailableError`; `'failOpen'` admits them through a local limit of `fallbackTokens`.
   * Either way the limiter keeps probing and returns to the shared limit by itself, emitting
   * `outage` and `recover`.
   *
   * @default 'failClosed'
   * @example new RedisCapacityLimiter({ redis, name: 'geocoder', onOutage: 'failOpen', fallbackTokens: 4 })
   */
  readonly onOutage?: OutageMode | undefined

  /**
   * The local limit of each instance while Redis is unreachable and `onOutage` is `'failOpen'`
   * (required then): an integer from 0. A common choice is the shared limit divided by the number
   * of instances, rounded up. Leases it hands out are counted in Redis once it is back.
   *
   * @example new RedisCapacityLimiter({ redis, name: 'geocoder', totalTokens: 20, onOutage: 'failOpen', fallbackTokens: 5 })
   */
  readonly fallbackTokens?: number | undefined
}

/**
 * Options of one wait for a token (`acquire`, `run`, `wrap`): the same as `CapacityLimiter`'s.
 * `timeoutMs: 0` asks Redis once and never queues: a token free cluster-wide, or a `TimeoutError`.
 */
export type RedisAcquireOptions = AcquireOptions

/**
 * A snapshot of a `RedisCapacityLimiter`, as `stats()` returns it: the fields of
 * `CapacityLimiterStats` plus the Redis ones. `totalTokens`, `borrowedTokens`, `availableTokens`
 * and `waiting` are cluster-wide, as of this instance's latest reply from Redis (every call and
 * every renewal brings them; `refreshStats()` asks now). The counters are this instance's.
 */
export interface RedisCapacityLimiterStats extends CapacityLimiterStats {
  /** Leases this instance holds right now (from Redis or from the outage fallback). */
  readonly running: number
  /** Tokens borrowed by all instances. */
  readonly borrowedTokens: number
  /** Callers of all instances queued in Redis. */
  readonly waiting: number
  /** Callers of this instance not served yet: the number `maxWaiting` bounds. */
  readonly localWaiting: number
  /** Whether the limiter is in its outage mode (Redis unreachable) right now. */
  readonly outage: boolean
  /** How often the limiter went into its outage mode since it was created. */
  readonly outages: number
  /** Callers refused because Redis was unreachable and `onOutage` is `'failClosed'`. */
  readonly unavailable: number
  /** Leases that ran out before they could be renewed (see the `leaseLost` event). */
  readonly leasesLost: number
  /** Leases held right now that the outage fallback handed out. */
  readonly fallbackRunning: number
  /** The outage fallback's local limit (`0` with `onOutage: 'failClosed'`). */
  readonly fallbackTokens: number
}

/**
 * Why a caller got no token: the reasons of `CapacityLimiter`, plus `'unavailable'` (Redis
 * unreachable with `onOutage: 'failClosed'`, or the wait was under way when the outage began).
 */
export type RedisCapacityLimiterRejectReason = CapacityLimiterRejectReason | 'unavailable'

/** What the `acquire` and `release` events carry. */
export interface RedisLeaseEvent {
  /** The lease handed out or given back. */
  readonly lease: RedisLease
  /** The limiter's state right after the change. */
  readonly stats: RedisCapacityLimiterStats
}

/** What the `wait` event carries. */
export interface RedisWaitEvent {
  /** The limiter's state right after the caller joined the queue. */
  readonly stats: RedisCapacityLimiterStats
}

/** What the `reject` event carries. */
export interface RedisRejectEvent {
  /** Why the caller got no token. */
  readonly reason: RedisCapacityLimiterRejectReason
  /** The limiter's state right after the caller was turned away. */
  readonly stats: RedisCapacityLimiterStats
}

/**
 * What the `leaseLost` event carries. `'expired'`: a renewal reached Redis after the lease had run
 * out there (renewed too late: the token may already be someone else's). `'unrenewed'`: no renewal
 * could be confirmed before the lease would run out (Redis unreachable, or this process stalled).
 */
export interface RedisLeaseLostEvent {
  /** The lease that was lost; its `signal` has aborted. */
  readonly lease: RedisLease
  /** How it was lost. */
  readonly reason: 'expired' | 'unrenewed'
  /** The limiter's state right after the loss. */
  readonly stats: RedisCapacityLimiterStats
}

/** What the `outage` event carries. */
export interface RedisOutageEvent {
  /** The failure that started the outage (a `TimeoutError` for a call past `commandTimeoutMs`). */
  readonly error: unknown
  /** What the limiter does until Redis is back. */
  readonly onOutage: OutageMode
  /** The limiter's state right after it went into its outage mode. */
  readonly stats: RedisCapacityLimiterStats
}

/** What the `recover` event carries. */
export interface RedisRecoverEvent {
  /** How long the outage lasted, in milliseconds. */
  readonly outageMs: number
  /** The limiter's state right after it came back to the shared limit. */
  readonly stats: RedisCapacityLimiterStats
}

/**
 * Events of a `RedisCapacityLimiter` (an eventemitter3 emitter): `CapacityLimiter`'s four, with the
 * lease added where there is one, and the Redis ones. Every listener receives one event object;
 * events are built only while someone listens. A listener that throws is reported as an uncaught
 * exception; it never leaves a token or a waiter behind.
 *
 * @example limiter.on('outage', ({ error, onOutage }) => log.error({ error, onOutage }, 'limiter degraded'))
 */
export interface RedisCapacityLimiterEvents {
  /** A token was handed out to a caller of this instance. */
  acquire: [event: RedisLeaseEvent]
  /** A caller of this instance gave its token back. */
  release: [event: RedisLeaseEvent]
  /** A caller of this instance found no free token and joined the queue. */
  wait: [event: RedisWaitEvent]
  /** A caller of this instance got no token. */
  reject: [event: RedisRejectEvent]
  /** A lease of this instance ran out before it could be renewed; its `signal` aborted. */
  leaseLost: [event: RedisLeaseLostEvent]
  /** Redis could not be reached: the limiter went into its `onOutage` mode. */
  outage: [event: RedisOutageEvent]
  /** Redis answered again: the limiter is back on the shared limit. */
  recover: [event: RedisRecoverEvent]
}
