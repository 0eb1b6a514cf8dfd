import type { DeadLetter } from '../task-queue-options.js'
import { toError } from './error-reporting.js'
import type { MemoryJob } from './memory-job.js'

/** Past this many slots, a window less than half full moves its oldest job aside. */
const WINDOW = 16_384

/**
 * Every job the in-memory backend knows: the unfinished ones, plus the most recent finished ones for
 * `result(id)`, `jobId` deduplication and the dead letters. Finished jobs are kept in two bounded
 * rings (`keepCompleted`, `maxDeadLetters`) that drop the oldest first, as BullMQ's
 * `removeOnComplete`/`removeOnFail` counts do.
 *
 * Hand-written rather than one `Map` by id: with a large backlog, the map's growth, tombstones and
 * rehashing cost about a sixth of a trivial job's run time (see bench/). Jobs get increasing
 * sequence numbers (a job's default id is its number), so they sit in an array window indexed by
 * number; only caller-chosen `jobId`s need a map. A job kept long after the jobs around it finished
 * (a slow job among many fast ones) moves to a small side map, so empty slots cannot pile up.
 */
export class JobRegistry {
  readonly #byJobId = new Map<string, MemoryJob>()
  readonly #setAside = new Map<number, MemoryJob>()
  #window: (MemoryJob | undefined)[] = []
  /** The sequence number of `#window[0]`. */
  #base = 1
  /** Slots before this index are empty. */
  #head = 0
  /** Jobs in the window (the rest of its slots are empty). */
  #inWindow = 0
  #lastSequence = 0
  #unfinished = 0
  readonly #completed: FinishedRing
  readonly #failed: FinishedRing

  constructor(keepCompleted: number, maxDeadLetters: number) {
    this.#completed = new FinishedRing(keepCompleted)
    this.#failed = new FinishedRing(maxDeadLetters)
  }

  /** Jobs accepted and not finished (waiting, delayed or running). */
  get unfinished(): number {
    return this.#unfinished
  }

  /** How many failed jobs the dead-letter list holds. */
  get deadLetterCount(): number {
    return this.#failed.size
  }

  /** How many slots the window spans (diagnostics: it stays near 16,384 at most unless densely used). */
  get windowSpan(): number {
    return this.#window.length - this.#head
  }

  /** The number the next job gets; a job without a `jobId` uses it as its id. */
  nextSequence(): number {
    return ++this.#lastSequence
  }

  get(id: string): MemoryJob | undefined {
    const byJobId = this.#byJobId.get(id)
    if (byJobId !== undefined) return byJobId
    const sequence = Number(id)
    if (!Number.isSafeInteger(sequence) || String(sequence) !== id) return undefined
    const job = this.bySequence(sequence)
    // A job with a jobId has a sequence number too, but it is not its id.
    return job?.jobId === undefined ? job : undefined
  }

  /** Registers a job that just got the latest sequence number. */
  add(job: MemoryJob): void {
    this.#window.push(job)
    this.#inWindow++
    if (job.jobId !== undefined) this.#byJobId.set(job.jobId, job)
    this.#unfinished++
    const span = this.#window.length - this.#head
    if (span > WINDOW && this.#inWindow * 2 < span) this.#setAsideHead()
  }

  completed(job: MemoryJob): void {
    this.#unfinished--
    this.#forget(this.#completed.keep(job))
  }

  failed(job: MemoryJob): void {
    this.#unfinished--
    this.#forget(this.#failed.keep(job))
  }

  /** Forgets an unfinished job at once (handed back or interrupted by `close()`). */
  drop(job: MemoryJob): void {
    this.#unfinished--
    this.#forget(job)
  }

  /** The unfinished jobs, in the order they were added. */
  unfinishedJobs(): MemoryJob[] {
    const jobs: MemoryJob[] = []
    const collect = (job: MemoryJob | undefined) => {
      if (job?.state === 'waiting' || job?.state === 'delayed' || job?.state === 'running') {
        jobs.push(job)
      }
    }
    for (const job of this.#setAside.values()) collect(job)
    for (let index = this.#head; index < this.#window.length; index++) collect(this.#window[index])
    return jobs
  }

  /** The dead letters, oldest first. */
  deadLetters(): DeadLetter[] {
    return this.#failed.oldestFirst().map((job) => ({
      id: job.id,
      name: job.name,
      data: job.data,
      attempts: job.attemptsStarted,
      error: toError(job.outcome),
      failedAt: job.extras?.failedAt ?? 0,
    }))
  }

  /** The job with this sequence number, if it is still known. */
  bySequence(sequence: number): MemoryJob | undefined {
    const index = sequence - this.#base
    if (index >= this.#head && index < this.#window.length) return this.#window[index]
    return this.#setAside.get(sequence)
  }

  #forget(job: MemoryJob | undefined): void {
    if (job === undefined) return
    if (job.jobId !== undefined && this.#byJobId.get(job.jobId) === job) {
      this.#byJobId.delete(job.jobId)
    }
    const index = job.sequence - this.#base
    if (index >= this.#head && this.#window[index] === job) {
      this.#window[index] = undefined
      this.#inWindow--
      if (index === this.#head) this.#advanceHead()
    } else {
      this.#setAside.delete(job.sequence)
    }
  }

  #advanceHead(): void {
    const window = this.#window
    let head = this.#head
    while (head < window.length && window[head] === undefined) head++
    if (head === window.length) {
      this.#base += head
      this.#window = []
      this.#head = 0
    } else if (head > 1_024 && head * 2 > window.length) {
      this.#base += head
      this.#window = window.slice(head)
      this.#head = 0
    } else {
      this.#head = head
    }
  }

  #setAsideHead(): void {
    const job = this.#window[this.#head]!
    this.#setAside.set(job.sequence, job)
    this.#window[this.#head] = undefined
    this.#inWindow--
    this.#advanceHead()
  }
}

/** A fixed-size ring of finished jobs; keeping one more pushes the oldest out. */
class FinishedRing {
  readonly #limit: number
  readonly #jobs: MemoryJob[] = []
  #next = 0

  constructor(limit: number) {
    this.#limit = limit
  }

  get size(): number {
    return this.#jobs.length
  }

  /** Keeps `job`; returns the job it pushed out, or `undefined` when there was room (`job` itself when the limit is 0). */
  keep(job: MemoryJob): MemoryJob | undefined {
    if (this.#limit === 0) return job
    if (this.#jobs.length < this.#limit) {
      this.#jobs.push(job)
      return undefined
    }
    const evicted = this.#jobs[this.#next]
    this.#jobs[this.#next] = job
    this.#next = (this.#next + 1) % this.#limit
    return evicted
  }

  oldestFirst(): MemoryJob[] {
    return [...this.#jobs.slice(this.#next), ...this.#jobs.slice(0, this.#next)]
  }
}
