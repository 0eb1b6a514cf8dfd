import type { CircuitState } from '../../redis/types.js'

/**
 * Stops calling Redis after `threshold` failures in a row, for `resetMs`; then lets one trial call
 * through, which closes the circuit if it succeeds and opens it again if it fails. While open, the
 * cache answers from memory and the loader without waiting for timeouts.
 */
export class CircuitBreaker {
  readonly #threshold: number
  readonly #resetMs: number
  readonly #onChange: (state: CircuitState) => void
  #state: CircuitState = 'closed'
  #failures = 0
  #openedAt = 0
  #trialRunning = false

  constructor(threshold: number, resetMs: number, onChange: (state: CircuitState) => void) {
    this.#threshold = threshold
    this.#resetMs = resetMs
    this.#onChange = onChange
  }

  /** The current state. */
  get state(): CircuitState {
    return this.#state
  }

  /** Returns 0 if a call may go now, else how many milliseconds until the next trial. */
  admit(): number {
    if (this.#state === 'closed') return 0
    if (this.#state === 'half-open') return this.#trialRunning ? this.#resetMs : this.#startTrial()
    const remaining = this.#openedAt + this.#resetMs - performance.now()
    if (remaining > 0) return remaining
    this.#change('half-open')
    return this.#startTrial()
  }

  /** Records a successful call. */
  succeed(): void {
    this.#failures = 0
    this.#trialRunning = false
    if (this.#state !== 'closed') this.#change('closed')
  }

  /** Records a failed call. */
  fail(): void {
    this.#trialRunning = false
    this.#failures++
    if (this.#state === 'half-open' || this.#failures >= this.#threshold) {
      this.#openedAt = performance.now()
      if (this.#state !== 'open') this.#change('open')
    }
  }

  #startTrial(): number {
    this.#trialRunning = true
    return 0
  }

  #change(state: CircuitState): void {
    this.#state = state
    this.#onChange(state)
  }
}
