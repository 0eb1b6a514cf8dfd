import { EventEmitter } from 'node:events'
import type { Metrics } from '../src/index.js'

/** Stats objects as the loopwork primitives return them, with every field the contracts name. */
export function limiterStats(overrides: Record<string, unknown> = {}) {
  return {
    name: 'db',
    totalTokens: 40,
    borrowedTokens: 3,
    availableTokens: 37,
    waiting: 2,
    running: 3,
    maxWaiting: 1000,
    acquired: 120,
    rejected: 4,
    timedOut: 5,
    aborted: 6,
    ...overrides,
  }
}

/** A structural CapacityLimiter: `stats()` plus eventemitter events. */
export class FakeLimiter extends EventEmitter {
  readonly name = 'db'
  state = limiterStats()
  stats() {
    return { ...this.state }
  }
}

/** A structural WorkerPool. */
export class FakeWorkerPool extends EventEmitter {
  readonly name = 'pool'
  state = {
    name: 'pool',
    threads: 4,
    busy: 1,
    waiting: 7,
    running: 1,
    completed: 30,
    failed: 2,
    runTime: { p50: 1, p90: 2, p99: 3, max: 4, mean: 1.5 },
    waitTime: { p50: 0, p90: 1, p99: 1, max: 2, mean: 0.2 },
    utilization: 0.25,
  }
  stats() {
    return { ...this.state }
  }
}

/** A structural TaskQueue. */
export class FakeTaskQueue extends EventEmitter {
  readonly name = 'queue'
  state: {
    name: string
    waiting: number
    running: number
    completed: number
    failed: number
    retried: number
    deadLetters: number
    delayed?: number
  } = {
    name: 'queue',
    waiting: 11,
    running: 2,
    completed: 50,
    failed: 3,
    retried: 9,
    deadLetters: 1,
    delayed: 4,
  }
  stats() {
    return { ...this.state }
  }
}

/** A structural TaskSupervisor. */
export class FakeTaskSupervisor extends EventEmitter {
  readonly name = 'supervisor'
  state = { name: 'supervisor', running: 1, started: 10, succeeded: 7, failed: 1, aborted: 1 }
  stats() {
    return { ...this.state }
  }
}

/** A structural Batcher. */
export class FakeBatcher extends EventEmitter {
  readonly name = 'batcher'
  state = {
    name: 'batcher',
    batches: 5,
    keys: 60,
    meanBatchSize: 12,
    largestBatch: 30,
    waiting: 3,
    running: 1,
  }
  stats() {
    return { ...this.state }
  }
}

/** A structural TtlCache. */
export class FakeTtlCache extends EventEmitter {
  readonly name = 'cache'
  state = {
    name: 'cache',
    waiting: 0,
    running: 1,
    hits: 90,
    misses: 10,
    staleHits: 4,
    loads: 12,
    loadErrors: 1,
    evictions: 6,
    size: 42,
  }
  stats() {
    return { ...this.state }
  }
}

/**
 * Tracks one fake of every kind of primitive, each under its own name, and returns them so a test
 * can move their figures between scrapes.
 */
export function trackOneOfEach(metrics: Metrics) {
  const fakes = {
    limiter: new FakeLimiter(),
    pool: new FakeWorkerPool(),
    queue: new FakeTaskQueue(),
    supervisor: new FakeTaskSupervisor(),
    batcher: new FakeBatcher(),
    cache: new FakeTtlCache(),
  }
  for (const fake of Object.values(fakes)) metrics.track(fake)
  return fakes
}

/** Busy-waits, blocking the event loop for at least `milliseconds`. */
export function blockLoop(milliseconds: number): void {
  const started = performance.now()
  while (performance.now() - started < milliseconds) {
    // spin
  }
}
