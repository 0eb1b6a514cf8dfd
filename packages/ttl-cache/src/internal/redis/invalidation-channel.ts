import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { RedisGuard } from './redis-guard.js'

/** What other instances are told: which key or tag to drop, or everything. Never a value. */
export type Invalidation =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'clear' }

/**
 * Redis pub/sub between the instances of one cache. Each instance announces its invalidations and
 * applies the others' to its memory. Pub/sub is fire-and-forget, so after the subscriber reconnects
 * (messages may have been missed) the instance is told to drop its memory tier.
 */
export class InvalidationChannel {
  /** This instance's id, so it can ignore its own messages. */
  readonly origin = randomUUID()
  readonly #publisher: Redis
  readonly #subscriber: Redis
  readonly #name: string
  readonly #guard: RedisGuard
  readonly #subscribed: Promise<unknown>
  #connectedBefore: boolean
  readonly #onMessage: (channel: string, message: string) => void
  readonly #onReady: () => void

  constructor(
    publisher: Redis,
    subscriber: Redis,
    name: string,
    guard: RedisGuard,
    apply: (invalidation: Invalidation) => void,
    onReconnect: () => void,
  ) {
    this.#publisher = publisher
    this.#subscriber = subscriber
    this.#name = name
    this.#guard = guard
    this.#connectedBefore = subscriber.status === 'ready'
    this.#onMessage = (channel, message) => {
      if (channel !== name) return
      const invalidation = this.#parse(message)
      if (invalidation !== undefined) apply(invalidation)
    }
    this.#onReady = () => {
      if (this.#connectedBefore) onReconnect()
      this.#connectedBefore = true
    }
    subscriber.on('message', this.#onMessage)
    subscriber.on('ready', this.#onReady)
    this.#subscribed = subscriber.subscribe(name)
    // Owned here; ready() reports the failure to whoever asks.
    this.#subscribed.catch(() => {})
  }

  /** Resolves once subscribed; rejects if subscribing fails or takes longer than the guard's timeout. */
  async ready(): Promise<void> {
    await this.#guard.call('subscribe', () => this.#subscribed)
  }

  /** Tells the other instances; throws (already reported) if Redis fails. */
  async publish(invalidation: Invalidation): Promise<void> {
    const message = JSON.stringify({ origin: this.origin, ...invalidation })
    await this.#guard.call('publish', () => this.#publisher.publish(this.#name, message))
  }

  /** Stops listening. Unsubscribes a shared subscriber; an owned one is disconnected by the caller. */
  close(unsubscribe: boolean): void {
    this.#subscriber.off('message', this.#onMessage)
    this.#subscriber.off('ready', this.#onReady)
    if (unsubscribe) this.#subscriber.unsubscribe(this.#name).catch(() => {})
  }

  #parse(message: string): Invalidation | undefined {
    let parsed: { origin?: unknown; kind?: unknown; key?: unknown; tag?: unknown }
    try {
      parsed = JSON.parse(message)
    } catch {
      return undefined
    }
    if (parsed === null || typeof parsed !== 'object' || parsed.origin === this.origin)
      return undefined
    if (parsed.kind === 'key' && typeof parsed.key === 'string')
      return { kind: 'key', key: parsed.key }
    if (parsed.kind === 'tag' && typeof parsed.tag === 'string')
      return { kind: 'tag', tag: parsed.tag }
    if (parsed.kind === 'clear') return { kind: 'clear' }
    return undefined
  }
}
