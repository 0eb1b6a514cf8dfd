/** One request in flight, as far as it is known at its start. */
export interface InFlightRequest {
  readonly method: string | undefined
  readonly route: string | undefined
  previous: InFlightRequest | undefined
  next: InFlightRequest | undefined
}

/**
 * The requests in flight, kept only while a blocked-loop detector runs: an intrusive doubly linked
 * list, so entering and leaving cost one small object and no hashing (a `Set` would hash both ways).
 */
export class InFlightRequests {
  #head: InFlightRequest | undefined
  #size = 0

  /** How many requests are in the list. */
  get size(): number {
    return this.#size
  }

  /** Adds a request and returns its entry, to hand back to `leave`. */
  enter(method: string | undefined, route: string | undefined): InFlightRequest {
    const entry: InFlightRequest = { method, route, previous: undefined, next: this.#head }
    if (this.#head !== undefined) this.#head.previous = entry
    this.#head = entry
    this.#size++
    return entry
  }

  /** Removes a request; a second call for the same entry does nothing. */
  leave(entry: InFlightRequest): void {
    if (entry.previous === undefined && this.#head !== entry) return
    if (entry.previous !== undefined) entry.previous.next = entry.next
    else this.#head = entry.next
    if (entry.next !== undefined) entry.next.previous = entry.previous
    entry.previous = undefined
    entry.next = undefined
    this.#size--
  }

  /** Every request in the list, newest first. */
  *[Symbol.iterator](): IterableIterator<InFlightRequest> {
    for (let entry = this.#head; entry !== undefined; entry = entry.next) yield entry
  }
}
