/**
 * Which keys carry which tag, for `invalidateTag`. It only ever holds keys that are in the cache:
 * entries leave it when they are evicted, expire, are deleted or overwritten, so it is bounded by
 * `max` like the cache. (Bentocache instead records an invalidation time per tag and filters on every
 * read; an index keeps the hit path free of tag checks.)
 */
export class TagIndex<K> {
  readonly #keysByTag = new Map<string, Set<K>>()

  /** How many tags have at least one key. */
  get size(): number {
    return this.#keysByTag.size
  }

  /** Records that `key` carries `tags`. */
  add(key: K, tags: readonly string[]): void {
    for (const tag of tags) {
      let keys = this.#keysByTag.get(tag)
      if (keys === undefined) {
        keys = new Set()
        this.#keysByTag.set(tag, keys)
      }
      keys.add(key)
    }
  }

  /** Forgets that `key` carries `tags`; a tag with no keys left is dropped. */
  remove(key: K, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.#keysByTag.get(tag)
      if (keys === undefined) continue
      keys.delete(key)
      if (keys.size === 0) this.#keysByTag.delete(tag)
    }
  }

  /** Removes `tag` and returns the keys that carried it. */
  take(tag: string): K[] {
    const keys = this.#keysByTag.get(tag)
    if (keys === undefined) return []
    this.#keysByTag.delete(tag)
    return [...keys]
  }

  /** Forgets every tag. */
  clear(): void {
    this.#keysByTag.clear()
  }
}
