import { setTimeout as sleep } from 'node:timers/promises'
import type { ReadSnapshot, RedisStore } from './redis-store.js'

/** How a wait for another instance's load ended. */
export type HolderWaitOutcome =
  /** The holder stored the value. */
  | { readonly kind: 'stored'; readonly snapshot: ReadSnapshot }
  /** The lock is free but no value came (the holder failed or died): try to take the lock. */
  | { readonly kind: 'free'; readonly snapshot: ReadSnapshot }
  /** `lockWaitMs` ran out: load without the lock. */
  | { readonly kind: 'timeout'; readonly snapshot: ReadSnapshot }
  /** Redis failed while waiting. */
  | { readonly kind: 'unavailable' }

/**
 * Polls Redis every `pollMs` until the lock holder has stored the value, the lock is gone, or the
 * `deadline` passes, so a slow or dead holder delays the others by at most `lockWaitMs`. `signal` (the
 * load's own) ends the wait when nobody needs the value any more.
 */
export async function waitForHolder(
  store: RedisStore,
  key: string,
  tags: readonly string[],
  last: ReadSnapshot,
  deadline: number,
  pollMs: number,
  signal: AbortSignal,
): Promise<HolderWaitOutcome> {
  let snapshot = last
  for (let remaining = deadline - performance.now(); remaining > 0; ) {
    // Unref'd like every timer here: a poll never keeps the process alive on its own.
    await sleep(Math.min(pollMs, remaining), undefined, { signal, ref: false })
    try {
      snapshot = await store.read(key, tags)
    } catch {
      return { kind: 'unavailable' }
    }
    if (snapshot.stored !== undefined) return { kind: 'stored', snapshot }
    if (!snapshot.locked) return { kind: 'free', snapshot }
    remaining = deadline - performance.now()
  }
  return { kind: 'timeout', snapshot }
}
