import type { CacheResult, LoadContext } from '../types.js'
import { tagsOption, ttlOption } from './option-schemas.js'
import type { StoragePolicy } from './storage-policy.js'

/**
 * One running load of one key, shared by every caller that missed the key while it runs (single
 * flight). Callers without a signal share `promise` itself, so joining allocates nothing.
 */
export class Flight<K, V> {
  readonly key: K
  /** A background refresh: started by the cache for a stale value, not by a waiting caller. */
  readonly background: boolean
  tags: readonly string[] | undefined
  ttlMs: number
  readonly staleWhileRevalidateMs: number
  /** Callers waiting for the outcome; a caller without a signal never leaves. */
  waiters = 0
  /** Still the key's current load: its outcome may be stored. Cleared by invalidation and on settling. */
  attached = true
  settled = false
  readonly context: LoadContext<K>
  promise!: Promise<V>
  readonly #controller = new AbortController()
  #miss: Promise<CacheResult<V>> | undefined

  constructor(key: K, policy: StoragePolicy, background: boolean) {
    this.key = key
    this.background = background
    this.tags = policy.tags
    this.ttlMs = policy.ttlMs
    this.staleWhileRevalidateMs = policy.staleWhileRevalidateMs
    this.context = {
      key,
      signal: this.#controller.signal,
      setTtl: (ttlMs: number) => {
        this.ttlMs = ttlOption('setTtl(ttlMs)', ttlMs)
      },
      setTags: (tags: readonly string[]) => {
        const checked = tagsOption('setTags(tags)', tags)
        this.tags = checked.length === 0 ? undefined : Object.freeze([...checked])
      },
    }
  }

  /** Whether the cache cancelled this load (nobody waited any more). */
  get aborted(): boolean {
    return this.#controller.signal.aborted
  }

  /** Fires the loader's signal. */
  abort(reason: Error): void {
    this.#controller.abort(reason)
  }

  /** The outcome with status `miss`, shared by every caller that joined without a signal. */
  missResult(): Promise<CacheResult<V>> {
    this.#miss ??= this.promise.then(toMiss)
    return this.#miss
  }
}

function toMiss<V>(value: V): CacheResult<V> {
  return { value, status: 'miss' }
}
