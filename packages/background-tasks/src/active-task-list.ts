import type { SupervisedTaskRun } from './supervised-task.js'

type Run = SupervisedTaskRun<unknown>

/**
 * The running tasks of a supervisor, as a doubly linked list through the tasks themselves.
 * Hand-written rather than a `Set`: with many tasks in flight the set's hashing and growth cost
 * more than the rest of a spawn (see bench/), while linking allocates nothing.
 */
export class ActiveTaskList {
  #first: Run | undefined
  #last: Run | undefined
  #size = 0

  get size(): number {
    return this.#size
  }

  add(run: Run): void {
    run.previous = this.#last
    run.next = undefined
    if (this.#last === undefined) this.#first = run
    else this.#last.next = run
    this.#last = run
    this.#size++
  }

  remove(run: Run): void {
    if (run.previous === undefined) this.#first = run.next
    else run.previous.next = run.next
    if (run.next === undefined) this.#last = run.previous
    else run.next.previous = run.previous
    run.previous = undefined
    run.next = undefined
    this.#size--
  }

  /** The running tasks, oldest first, as an array safe to keep while tasks end. */
  toArray(): Run[] {
    const runs: Run[] = []
    for (let run = this.#first; run !== undefined; run = run.next) runs.push(run)
    return runs
  }
}
