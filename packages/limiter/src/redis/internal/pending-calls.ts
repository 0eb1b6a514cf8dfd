import { LinkedList, type ListNode, startTimer } from '@loopwork/internal'

/** A script reply: five header numbers, the operation's results, then hand-overs to own waiters. */
export type Reply = readonly (number | string)[]

/** One Redis call of the limiter that has not answered yet. */
export interface PendingCall extends ListNode<PendingCall> {
  /** When (performance.now()) it times out. */
  deadline: number
  /** Answered, failed or timed out: later outcomes are ignored. */
  settled: boolean
  readonly onReply: (reply: Reply) => void
  readonly onError: (error: unknown) => void
}

/**
 * The limiter's calls in flight, each bounded by the same timeout. They all wait the same time, so
 * the order they were sent in is the order of their deadlines, and one timer on the oldest covers
 * them all: no timer per call on the hot path.
 */
export class PendingCalls {
  readonly #list = new LinkedList<PendingCall>()
  readonly #timeoutMs: number
  readonly #onTimeout: (call: PendingCall) => void
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(timeoutMs: number, onTimeout: (call: PendingCall) => void) {
    this.#timeoutMs = timeoutMs
    this.#onTimeout = onTimeout
  }

  /** How many calls have not answered yet. */
  get size(): number {
    return this.#list.length
  }

  /** Starts the clock of a call just sent. */
  add(call: PendingCall): void {
    call.deadline = performance.now() + this.#timeoutMs
    this.#list.push(call)
    if (this.#timer === undefined) this.#timer = startTimer(this.#expire, this.#timeoutMs)
  }

  /** Stops the clock of a call that answered. */
  remove(call: PendingCall): void {
    this.#list.remove(call)
    if (this.#list.head === undefined && this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
  }

  readonly #expire = (): void => {
    this.#timer = undefined
    // A timer may fire a little early by the clock it is compared with; 1 ms of slack.
    const now = performance.now() + 1
    let call = this.#list.head
    while (call !== undefined && call.deadline <= now) {
      this.#list.remove(call)
      this.#onTimeout(call)
      call = this.#list.head
    }
    if (call !== undefined) {
      this.#timer = startTimer(this.#expire, Math.max(1, Math.ceil(call.deadline - now)))
    }
  }
}
