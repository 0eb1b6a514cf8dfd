import type { Redis } from 'ioredis'
import type { KeyLayout } from './key-layout.js'
import {
  deleteScript,
  invalidateTagScript,
  readScript,
  releaseLockScript,
  setScript,
  writeBackScript,
} from './lua-scripts.js'
import type { RedisGuard } from './redis-guard.js'

/** What one lookup saw in Redis, including the versions a later write-back must find unchanged. */
export interface ReadSnapshot {
  /** The stored envelope, or `undefined` on a miss. */
  readonly stored: string | undefined
  /** Milliseconds the stored value has left (-1: no expiry). */
  readonly remainingTtlMs: number
  /** Whether some instance holds the load lock. */
  readonly locked: boolean
  readonly version: string
  readonly epoch: string
  /** The tags whose versions were read, and those versions. */
  readonly tags: readonly string[]
  readonly tagVersions: readonly string[]
}

/** Tuning of the Redis side, resolved from the cache options. */
export interface RedisStoreSettings {
  readonly lockTtlMs: number
  readonly versionRetentionMs: number
  readonly scanCount: number
}

/**
 * The cache's Redis operations, each a single guarded call (timeout + circuit breaker) or a bounded
 * sequence of them. Methods throw when Redis fails; the failure has already been reported.
 */
export class RedisStore {
  readonly #redis: Redis
  readonly #layout: KeyLayout
  readonly #guard: RedisGuard
  readonly #settings: RedisStoreSettings

  constructor(redis: Redis, layout: KeyLayout, guard: RedisGuard, settings: RedisStoreSettings) {
    this.#redis = redis
    this.#layout = layout
    this.#guard = guard
    this.#settings = settings
  }

  /** Reads a key's value with its TTL, lock state and versions in one round trip. */
  async read(key: string, tags: readonly string[]): Promise<ReadSnapshot> {
    const layout = this.#layout
    const keys = [
      layout.value(key),
      layout.lock(key),
      layout.version(key),
      layout.epoch,
      ...tags.map((tag) => layout.tagVersion(tag)),
    ]
    const reply = (await this.#guard.call('read', () => readScript.run(this.#redis, keys, []))) as [
      string | null,
      number,
      number,
      string,
      string,
      ...string[],
    ]
    return {
      stored: reply[0] ?? undefined,
      remainingTtlMs: reply[1],
      locked: reply[2] === 1,
      version: reply[3],
      epoch: reply[4],
      tags,
      tagVersions: reply.slice(5) as string[],
    }
  }

  /** Takes the short load lock of `key`; `false` if another instance holds it. */
  async acquireLock(key: string, token: string): Promise<boolean> {
    const reply = await this.#guard.call('lock', () =>
      this.#redis.set(this.#layout.lock(key), token, 'PX', this.#settings.lockTtlMs, 'NX'),
    )
    return reply === 'OK'
  }

  /** Releases the load lock if `token` still holds it. */
  async releaseLock(key: string, token: string): Promise<void> {
    await this.#guard.call('unlock', () =>
      releaseLockScript.run(this.#redis, [this.#layout.lock(key)], [token]),
    )
  }

  /**
   * Writes a loaded value unless it was invalidated since `snapshot` was read; releases the lock
   * `token` holds. Returns whether the value was written.
   */
  async writeBack(
    key: string,
    envelope: string,
    ttlMs: number,
    tags: readonly string[],
    snapshot: ReadSnapshot,
    token: string | undefined,
  ): Promise<boolean> {
    const layout = this.#layout
    const keys = [
      layout.value(key),
      layout.version(key),
      layout.epoch,
      layout.lock(key),
      ...snapshot.tags.map((tag) => layout.tagVersion(tag)),
      ...snapshot.tags.map((tag) => layout.tagMembers(tag)),
    ]
    const args = [
      envelope,
      Math.ceil(ttlMs),
      token ?? '',
      snapshot.version,
      snapshot.epoch,
      snapshot.tags.length,
      ...snapshot.tagVersions,
    ]
    const written = await this.#guard.call('write', () =>
      writeBackScript.run(this.#redis, keys, args),
    )
    // Tags a loader added while loading had no version to check; index the value under them too.
    const added = tags.filter((tag) => !snapshot.tags.includes(tag))
    if (written === 1 && added.length > 0) await this.#index(key, added, ttlMs)
    return written === 1
  }

  /** Stores a value outright and bumps its version. */
  async set(key: string, envelope: string, ttlMs: number, tags: readonly string[]): Promise<void> {
    const layout = this.#layout
    const keys = [
      layout.value(key),
      layout.version(key),
      ...tags.map((tag) => layout.tagMembers(tag)),
    ]
    await this.#guard.call('set', () =>
      setScript.run(this.#redis, keys, [
        envelope,
        Math.ceil(ttlMs),
        this.#settings.versionRetentionMs,
      ]),
    )
  }

  /** Bumps the key's version and deletes its value; returns whether a value was there. */
  async delete(key: string): Promise<boolean> {
    const keys = [this.#layout.value(key), this.#layout.version(key)]
    const deleted = await this.#guard.call('delete', () =>
      deleteScript.run(this.#redis, keys, [this.#settings.versionRetentionMs]),
    )
    return deleted === 1
  }

  /** Bumps the tag's version and deletes every value carrying it, in bounded batches. */
  async invalidateTag(tag: string): Promise<void> {
    const draining = this.#layout.drainingTag(tag)
    const keys = [this.#layout.tagMembers(tag), this.#layout.tagVersion(tag), draining]
    const moved = await this.#guard.call('invalidate-tag', () =>
      invalidateTagScript.run(this.#redis, keys, [this.#settings.versionRetentionMs]),
    )
    if (moved !== 1) return
    let cursor = '0'
    do {
      const [next, members] = await this.#guard.call('invalidate-tag', () =>
        this.#redis.sscan(draining, cursor, 'COUNT', this.#settings.scanCount),
      )
      cursor = next
      if (members.length > 0) await this.#unlink('invalidate-tag', members)
    } while (cursor !== '0')
    await this.#unlink('invalidate-tag', [draining])
  }

  /**
   * Bumps the namespace epoch (so running loads cannot write back), then deletes every key of this
   * cache found by SCAN, in batches; never KEYS, which blocks Redis for the whole keyspace.
   */
  async clear(): Promise<void> {
    const epoch = this.#layout.epoch
    await this.#guard.call('clear', () => this.#redis.incr(epoch))
    let cursor = '0'
    do {
      const [next, found] = await this.#guard.call('clear', () =>
        this.#redis.scan(
          cursor,
          'MATCH',
          this.#layout.everything,
          'COUNT',
          this.#settings.scanCount,
        ),
      )
      cursor = next
      const doomed = found.filter((key) => key !== epoch)
      if (doomed.length > 0) await this.#unlink('clear', doomed)
    } while (cursor !== '0')
  }

  async #index(key: string, tags: readonly string[], ttlMs: number): Promise<void> {
    const valueKey = this.#layout.value(key)
    await this.#guard.call('write', async () => {
      const pipeline = this.#redis.pipeline()
      for (const tag of tags) {
        const members = this.#layout.tagMembers(tag)
        pipeline.sadd(members, valueKey)
        // NX gives a new set its first expiry; GT only ever lengthens an existing one.
        pipeline.pexpire(members, Math.ceil(ttlMs), 'NX')
        pipeline.pexpire(members, Math.ceil(ttlMs), 'GT')
      }
      return pipeline.exec()
    })
  }

  async #unlink(operation: string, keys: readonly string[]): Promise<void> {
    await this.#guard.call(operation, () => this.#redis.unlink(...keys))
  }
}
