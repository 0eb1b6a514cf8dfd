import type { PoolThread } from './pool-thread.js'

/**
 * The pool's threads and the questions its scheduler asks about them. Pools have a handful of
 * threads, so every question is a linear scan that allocates nothing.
 */
export class ThreadSet {
  readonly #threads: PoolThread[] = []
  readonly maxThreads: number

  constructor(maxThreads: number) {
    this.maxThreads = maxThreads
  }

  [Symbol.iterator](): Iterator<PoolThread> {
    return this.#threads[Symbol.iterator]()
  }

  /** A copy of the current threads, for loops that may stop threads as they go. */
  snapshot(): PoolThread[] {
    return [...this.#threads]
  }

  add(thread: PoolThread): void {
    this.#threads.push(thread)
  }

  remove(thread: PoolThread): void {
    const index = this.#threads.indexOf(thread)
    if (index >= 0) this.#threads.splice(index, 1)
  }

  /** Threads starting or ready (not stopping or gone). */
  live(): number {
    let live = 0
    for (const thread of this.#threads) if (isLive(thread)) live++
    return live
  }

  /** Calls handed to threads: running, or held in reserve behind the running one. */
  handed(): number {
    let handed = 0
    for (const thread of this.#threads) handed += thread.outstanding
    return handed
  }

  /** Threads with at least one call handed to them. */
  busy(): number {
    let busy = 0
    for (const thread of this.#threads) if (thread.outstanding > 0) busy++
    return busy
  }

  /** A ready thread with nothing to do: what a guarded call needs, since it may get terminated. */
  idle(): PoolThread | undefined {
    for (const thread of this.#threads) {
      if (thread.state === 'ready' && thread.outstanding === 0 && !thread.guarded) return thread
    }
    return undefined
  }

  /** Whether a thread is idle, or starting with nothing to do, so a guarded call will get one soon. */
  comingFree(): boolean {
    for (const thread of this.#threads) {
      if (isLive(thread) && thread.outstanding === 0 && !thread.guarded) return true
    }
    return false
  }

  /** The thread holding the fewest calls among those that can take one more; a ready one wins a tie with a starting one. */
  leastLoaded(depth: number): PoolThread | undefined {
    let best: PoolThread | undefined
    let bestLoad = Number.POSITIVE_INFINITY
    for (const thread of this.#threads) {
      if (!thread.canTake(depth)) continue
      const load = thread.outstanding * 2 + (thread.state === 'starting' ? 1 : 0)
      if (load < bestLoad) {
        best = thread
        bestLoad = load
      }
    }
    return best
  }

  /** The thread holding the most calls, if it holds at least two (one running, one it could give up). */
  busiest(): PoolThread | undefined {
    let busiest: PoolThread | undefined
    for (const thread of this.#threads) {
      if (thread.outstanding >= 2 && thread.outstanding > (busiest?.outstanding ?? 0)) {
        busiest = thread
      }
    }
    return busiest
  }

  /** Calls handed to threads behind the one each runs: they wait, and count towards `maxWaiting`. */
  reserved(): number {
    let reserved = 0
    for (const thread of this.#threads)
      if (thread.outstanding > 1) reserved += thread.outstanding - 1
    return reserved
  }

  /**
   * How many calls would start at once: threads alive that hold nothing (a guarded call needs one
   * of those too), plus the threads that may still be started.
   */
  free(): number {
    let free = 0
    let live = 0
    for (const thread of this.#threads) {
      if (!isLive(thread)) continue
      live++
      if (thread.outstanding === 0 && !thread.guarded) free++
    }
    return free + this.maxThreads - live
  }

  /** Idle ready threads, longest idle first. */
  idleThreads(): PoolThread[] {
    return this.#threads
      .filter((thread) => thread.state === 'ready' && thread.outstanding === 0)
      .sort((a, b) => a.idleSince - b.idleSince)
  }
}

/** Whether a thread counts towards maxThreads: starting or ready. */
export function isLive(thread: PoolThread): boolean {
  return thread.state === 'starting' || thread.state === 'ready'
}
