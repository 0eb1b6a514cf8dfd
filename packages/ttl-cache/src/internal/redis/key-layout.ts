import { randomUUID } from 'node:crypto'

/**
 * Where the cache keeps things in Redis, all under one prefix so `clear()` can find them with SCAN
 * and two caches (or two test runs) never collide. Each kind has its own infix, so a user key can
 * never be mistaken for a lock or a version.
 */
export class KeyLayout {
  readonly prefix: string
  /** The namespace epoch: `clear()` bumps it so loads that began before cannot write back. */
  readonly epoch: string
  /** The pub/sub channel invalidations travel on. */
  readonly channel: string
  /** The SCAN pattern matching every key of this cache. */
  readonly everything: string

  constructor(prefix: string) {
    this.prefix = prefix
    this.epoch = `${prefix}epoch`
    this.channel = `${prefix}invalidations`
    this.everything = `${escapeGlob(prefix)}*`
  }

  /** The stored value of `key`. */
  value(key: string): string {
    return `${this.prefix}value:${key}`
  }

  /** The invalidation counter of `key`, for the write-back version check. */
  version(key: string): string {
    return `${this.prefix}version:${key}`
  }

  /** The short lock whose holder loads `key` for every instance. */
  lock(key: string): string {
    return `${this.prefix}lock:${key}`
  }

  /** The set of value keys that carry `tag`. */
  tagMembers(tag: string): string {
    return `${this.prefix}tag:${tag}`
  }

  /** The invalidation counter of `tag`. */
  tagVersion(tag: string): string {
    return `${this.prefix}tag-version:${tag}`
  }

  /** A unique name the members of `tag` are moved to while they are being deleted. */
  drainingTag(tag: string): string {
    return `${this.prefix}tag-draining:${tag}:${randomUUID()}`
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}
