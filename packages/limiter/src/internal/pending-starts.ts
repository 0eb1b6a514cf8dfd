/**
 * Tasks that found a free token in `run()` and wait for the microtask that starts them.
 *
 * `run()` never calls its task before it returns. Each call registers one reaction on a promise that
 * is already settled, and such reactions run in the order they were registered, so the n-th reaction
 * starts the n-th task of this queue. The task therefore needs no closure of its own, and the
 * reaction runs in the async context of the call that registered it.
 */
export class PendingStarts {
  #tasks: ((() => unknown) | undefined)[] = []
  #head = 0

  /** Appends a task whose start reaction has just been registered. */
  push(task: () => unknown): void {
    this.#tasks.push(task)
  }

  /** Removes and returns the oldest task; called once per start reaction, so never on an empty queue. */
  shift(): () => unknown {
    const tasks = this.#tasks
    const head = this.#head
    const task = tasks[head]!
    tasks[head] = undefined
    if (head + 1 === tasks.length) {
      // Drained: start over at index 0 instead of letting the array grow with holes.
      tasks.length = 0
      this.#head = 0
    } else {
      this.#head = head + 1
    }
    return task
  }
}
