import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads'
import { adoptThenable } from '@loopwork/internal'
import { claim, WAKE_INDEX } from './claim-slots.js'
import { cloneableOrText, serializeError } from './error-transport.js'
import { CALL_STRIDE, FULFILLED, THREW_ERROR, THREW_VALUE, UNKNOWN_TASK } from './protocol.js'
import { FLUSH_AFTER_MS, type ResultBuffer } from './result-buffer.js'

/**
 * How long an idle thread sleeps on its futex before it goes back to its event loop. A call posted
 * meanwhile wakes it in a few microseconds, where the 'message' event costs several times more
 * (measured: 5 µs against 15 µs round trips on one core). The event loop is frozen while it sleeps,
 * so the sleep is short: a thread's own timers and I/O are late by at most this much.
 */
export const SPIN_MS = 2

type TaskTable = Record<string, unknown>

/** What a thread knows about one task of its module. */
interface TaskEntry {
  readonly run: (...args: unknown[]) => unknown
  /** The longest recent run time in ms, decaying with every call (see `#mayBeSlow`). */
  slowest: number
}

/** How much of the longest run time a task name keeps per call, so one slow call is forgotten over time. */
const SLOWEST_DECAY = 0.99

/**
 * The thread's side of the pool: takes batches of calls, claims each call before running it, runs
 * synchronous tasks back to back and awaits asynchronous ones one at a time, and hands results to
 * the buffer. Between batches it drains its port synchronously, so a busy thread never pays for a
 * trip through its event loop.
 */
export class TaskRunner {
  readonly #tasks: TaskTable
  readonly #entries = new Map<string, TaskEntry>()
  readonly #control: Int32Array
  readonly #port: MessagePort
  readonly #results: ResultBuffer
  /** Added to this thread's `performance.now()` to report times on the pool's clock. */
  readonly #clockOffset: number
  readonly #backlog: unknown[][] = []
  #busy = false
  #names: string[] | undefined

  constructor(
    tasks: TaskTable,
    control: Int32Array,
    port: MessagePort,
    results: ResultBuffer,
    clockOffset: number,
  ) {
    this.#tasks = tasks
    this.#control = control
    this.#port = port
    this.#results = results
    this.#clockOffset = clockOffset
  }

  /** The port's 'message' listener. */
  readonly onMessage = (batch: unknown[]): void => {
    if (this.#busy) this.#backlog.push(batch)
    else this.#work(batch, 0)
  }

  #work(first: unknown[], from: number): void {
    this.#busy = true
    let batch: unknown[] | undefined = first
    let index = from
    while (batch !== undefined) {
      if (!this.#runBatch(batch, index)) return
      batch = this.#nextBatch()
      index = 0
    }
    this.#busy = false
  }

  /** Runs calls from `from` on; false when it stopped at an asynchronous task that resumes the batch later. */
  #runBatch(batch: unknown[], from: number): boolean {
    for (let index = from; index < batch.length; index += CALL_STRIDE) {
      const sequence = batch[index] as number
      if (!claim(this.#control, sequence)) continue
      const entry = this.#entry(batch[index + 1] as string)
      if (entry === undefined) {
        this.#finish(sequence, UNKNOWN_TASK, this.#taskNames(), performance.now(), undefined)
        continue
      }
      // Results waiting in the buffer go out first unless this task has only ever been quick:
      // a finished call must not wait behind a slow one.
      if (entry.slowest >= FLUSH_AFTER_MS) this.#results.flush()
      const startedAt = performance.now()
      let value: unknown
      try {
        value = entry.run.apply(undefined, batch[index + 2] as unknown[])
      } catch (error) {
        this.#finishThrown(sequence, error, startedAt, entry)
        continue
      }
      // A thenable's then() is read and called once: a lazy query builder returned by a task
      // must not run twice.
      const pending = adoptThenable(value)
      if (pending !== undefined) {
        this.#results.flush()
        this.#await(pending, sequence, startedAt, entry, batch, index + CALL_STRIDE)
        return false
      }
      this.#finish(sequence, FULFILLED, value, startedAt, entry)
    }
    return true
  }

  /** The task of that name, if the module exports a function by it. */
  #entry(name: string): TaskEntry | undefined {
    let entry = this.#entries.get(name)
    if (entry === undefined) {
      const run = this.#tasks[name]
      if (typeof run !== 'function') return undefined
      // Unknown run time: treated as slow until it proves quick.
      entry = { run: run as TaskEntry['run'], slowest: Number.POSITIVE_INFINITY }
      this.#entries.set(name, entry)
    }
    return entry
  }

  #await(
    pending: Promise<unknown>,
    sequence: number,
    startedAt: number,
    entry: TaskEntry,
    batch: unknown[],
    resumeAt: number,
  ): void {
    pending.then(
      (value) => {
        this.#finish(sequence, FULFILLED, value, startedAt, entry)
        this.#work(batch, resumeAt)
      },
      (error: unknown) => {
        this.#finishThrown(sequence, error, startedAt, entry)
        this.#work(batch, resumeAt)
      },
    )
  }

  #finish(
    sequence: number,
    status: number,
    value: unknown,
    startedAt: number,
    entry: TaskEntry | undefined,
  ): void {
    const now = performance.now()
    if (entry !== undefined) {
      const decayed = entry.slowest === Number.POSITIVE_INFINITY ? 0 : entry.slowest * SLOWEST_DECAY
      entry.slowest = Math.max(now - startedAt, decayed)
    }
    this.#results.add(sequence, status, value, startedAt + this.#clockOffset, startedAt, now)
  }

  #finishThrown(sequence: number, error: unknown, startedAt: number, entry: TaskEntry): void {
    if (error instanceof Error) {
      this.#finish(sequence, THREW_ERROR, serializeError(error), startedAt, entry)
    } else this.#finish(sequence, THREW_VALUE, cloneableOrText(error), startedAt, entry)
  }

  /** The next batch, from calls that arrived as events during an await, the port, or a short futex sleep. */
  #nextBatch(): unknown[] | undefined {
    const queued = this.#backlog.shift()
    if (queued !== undefined) return queued
    let message = receiveMessageOnPort(this.#port)
    if (message !== undefined) return message.message as unknown[]
    this.#results.flush()
    const deadline = performance.now() + SPIN_MS
    for (;;) {
      // Read the wake counter before looking at the port: a batch posted after the look bumps
      // the counter afterwards, so the wait below returns at once instead of missing it.
      const seen = Atomics.load(this.#control, WAKE_INDEX)
      message = receiveMessageOnPort(this.#port)
      if (message !== undefined) return message.message as unknown[]
      const remaining = deadline - performance.now()
      if (remaining <= 0) return undefined
      Atomics.wait(this.#control, WAKE_INDEX, seen, remaining)
    }
  }

  #taskNames(): string[] {
    this.#names ??= Object.keys(this.#tasks).filter(
      (name) => typeof this.#tasks[name] === 'function',
    )
    return this.#names
  }
}
