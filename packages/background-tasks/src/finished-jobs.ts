import { toError } from './error-reporting.js'
import type { MemoryJob } from './memory-job.js'
import type { DeadLetter } from './task-queue-types.js'

/**
 * The in-memory backend's record of finished jobs, for `result(id)`, `jobId` deduplication and the
 * dead-letter list. Both parts are bounded (`keepCompleted`, `maxDeadLetters`) and drop the oldest
 * first, as BullMQ's `removeOnComplete`/`removeOnFail` counts do. A `Map` keeps insertion order, so
 * its first key is always the oldest.
 */
export class FinishedJobs {
  readonly #completed = new Map<string, MemoryJob>()
  readonly #failed = new Map<string, MemoryJob>()
  readonly #keepCompleted: number
  readonly #maxDeadLetters: number

  constructor(keepCompleted: number, maxDeadLetters: number) {
    this.#keepCompleted = keepCompleted
    this.#maxDeadLetters = maxDeadLetters
  }

  /** How many failed jobs the dead-letter list holds. */
  get deadLetterCount(): number {
    return this.#failed.size
  }

  /** A finished job still retained, completed or failed. */
  get(id: string): MemoryJob | undefined {
    return this.#completed.get(id) ?? this.#failed.get(id)
  }

  completed(job: MemoryJob): void {
    remember(this.#completed, job, this.#keepCompleted)
  }

  failed(job: MemoryJob): void {
    remember(this.#failed, job, this.#maxDeadLetters)
  }

  /** The dead letters, oldest first. */
  deadLetters(): DeadLetter[] {
    return Array.from(this.#failed.values(), (job) => ({
      id: job.id,
      name: job.name,
      data: job.data,
      attempts: job.attempt,
      error: toError(job.outcome),
      failedAt: job.failedAt,
    }))
  }
}

function remember(jobs: Map<string, MemoryJob>, job: MemoryJob, limit: number): void {
  if (limit === 0) return
  jobs.set(job.id, job)
  if (jobs.size > limit) jobs.delete(jobs.keys().next().value!)
}
