import { afterEach } from 'vitest'
import type { WorkerPoolEvents } from '../src/index.js'
import { WorkerPool, type WorkerPoolOptions } from '../src/index.js'

/** The task module of most tests, written the one documented way (it resolves to tasks.ts here). */
export const tasksModule = new URL('./fixtures/tasks.js', import.meta.url)
export type Tasks = typeof import('./fixtures/tasks.js')

/**
 * Makes the `createPool` of one test file: pools on the tasks module with the file's defaults, each
 * destroyed after its test so no thread outlives it.
 */
export function poolFactory(defaults: Partial<WorkerPoolOptions>) {
  const pools: WorkerPool<Tasks>[] = []
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.destroy()))
  })
  return (options: Partial<WorkerPoolOptions> = {}): WorkerPool<Tasks> => {
    const pool = new WorkerPool<Tasks>({ module: tasksModule, ...defaults, ...options })
    pools.push(pool)
    return pool
  }
}

/**
 * A shared flag a task can block on (`blockUntil`) until the test releases it; `startedThenBlock`
 * also raises its second cell once it runs.
 */
export function createFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8))
}

/** Whether a `startedThenBlock` call on this flag has started. */
export function hasStarted(flag: Int32Array): boolean {
  return Atomics.load(flag, 1) === 1
}

/** Wakes every task blocked on the flag. */
export function release(flag: Int32Array): void {
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
}

/** Lets queued microtasks, promise reactions and I/O callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Resolves once `condition` holds, checking after each turn of the event loop (the test timeout
 * bounds it). It uses setImmediate, so it works while timers are faked.
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await flush()
}

/** The next event of that kind from the pool. */
export async function nextEvent<E extends keyof WorkerPoolEvents>(
  pool: WorkerPool<any>,
  event: E,
): Promise<WorkerPoolEvents[E][0]> {
  return new Promise((resolve) => {
    pool.once(event, ((payload: WorkerPoolEvents[E][0]) => resolve(payload)) as never)
  })
}

/** The rejection of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the promise to reject, but it resolved')
}
