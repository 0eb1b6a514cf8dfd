/**
 * The in-memory backend's jobs ready to start, highest priority first, in the order they became
 * ready within a priority: the order p-queue starts its tasks in. The queue gives p-queue one
 * shared runner function per ready job (instead of one closure per job, which a backlog would hold
 * by the thousand) and the runner takes the next job from here; both orders match, so the job that
 * starts is the one whose `add()` queued that p-queue task, and it runs in that call's async context.
 *
 * It holds jobs by sequence number, not by reference: an array of small integers costs the garbage
 * collector nothing to scan, while one of fresh objects in an old array must be tracked.
 */
export class ReadyJobs {
  /** One first-in-first-out line per priority. */
  readonly #lines = new Map<number, JobLine>()
  /** The priorities that have a line, highest first. */
  readonly #priorities: number[] = []

  /** Queues the job with this sequence number at this priority. */
  push(sequence: number, priority: number): void {
    let line = this.#lines.get(priority)
    if (line === undefined) {
      line = new JobLine()
      this.#lines.set(priority, line)
      const index = this.#priorities.findIndex((other) => other < priority)
      if (index === -1) this.#priorities.push(priority)
      else this.#priorities.splice(index, 0, priority)
    }
    line.push(sequence)
  }

  /** Takes the sequence number of the next job to start, or `undefined` when none is ready. */
  shift(): number | undefined {
    const priority = this.#priorities[0]
    if (priority === undefined) return undefined
    const line = this.#lines.get(priority)!
    const job = line.shift()
    if (line.size === 0) {
      this.#lines.delete(priority)
      this.#priorities.shift()
    }
    return job
  }

  clear(): void {
    this.#lines.clear()
    this.#priorities.length = 0
  }
}

/** An array with a moving head: `shift()` in constant time without the array's own shift. */
class JobLine {
  #jobs: number[] = []
  #head = 0

  get size(): number {
    return this.#jobs.length - this.#head
  }

  push(sequence: number): void {
    this.#jobs.push(sequence)
  }

  shift(): number {
    const job = this.#jobs[this.#head]!
    this.#head++
    if (this.#head === this.#jobs.length) {
      this.#jobs = []
      this.#head = 0
    } else if (this.#head > 1_024 && this.#head * 2 > this.#jobs.length) {
      this.#jobs = this.#jobs.slice(this.#head)
      this.#head = 0
    }
    return job
  }
}
