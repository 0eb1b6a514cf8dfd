import type { SeriesLabels } from './array-histogram.js'
import type {
  BlockedLoopReport,
  BlockedRequestGroup,
  DetectBlockingOptions,
} from './blocking-detector-options.js'
import { type InFlightRequest, InFlightRequests } from './in-flight-requests.js'
import { assertFunction, assertNumber, assertOptionsObject } from './option-validation.js'
import type { RequestStartLabels } from './request-labels.js'

/** Ended-during-a-block requests kept for one report; a bound, since a block can end thousands. */
const maxEndedDuringBlock = 1_000

/**
 * Detects a blocked event loop with one unref'd interval timer: when a check runs later than
 * scheduled by at least `thresholdMs`, nothing else could run in between. It measures its own
 * lateness rather than reading `monitorEventLoopDelay`, which on Node 24 misses blocks that happen
 * inside timer and `setImmediate` callbacks (verified: a 300 ms block in a `setTimeout` callback
 * left its max at 13 ms).
 */
export class BlockingDetector {
  readonly thresholdMs: number
  readonly checkIntervalMs: number
  /**
   * A request ending after this instant ends inside a block (the loop is stuck beyond the threshold
   * past the check that should have run). Requests compare with one number on their way out.
   */
  alarmAt: number
  readonly #requests = new InFlightRequests()
  #endedDuringBlock: SeriesLabels[] = []
  #lastCheckAt: number
  readonly #timer: NodeJS.Timeout
  readonly #onBlocked: (report: BlockedLoopReport) => void
  readonly #now: () => number
  #closed = false

  constructor(given: DetectBlockingOptions, now: () => number = () => performance.now()) {
    assertOptionsObject('detectBlocking', given)
    const options = given ?? ({} as DetectBlockingOptions)
    this.thresholdMs = assertNumber('thresholdMs', options.thresholdMs, 100, {
      min: 1,
      max: 3_600_000,
    })
    const derivedInterval = Math.min(50, Math.max(5, this.thresholdMs / 4))
    this.checkIntervalMs = assertNumber(
      'checkIntervalMs',
      options.checkIntervalMs,
      derivedInterval,
      {
        min: 1,
        max: 60_000,
      },
    )
    this.#onBlocked = assertFunction('onBlocked', options.onBlocked)
    this.#now = now
    this.#lastCheckAt = now()
    this.alarmAt = this.#lastCheckAt + this.checkIntervalMs + this.thresholdMs
    this.#timer = setInterval(() => this.check(), this.checkIntervalMs)
    this.#timer.unref()
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** Records a request as in flight. */
  enter(start: RequestStartLabels | undefined): InFlightRequest {
    return this.#requests.enter(start?.method, start?.route)
  }

  /** Takes a request out of the in-flight list. */
  leave(entry: InFlightRequest): void {
    this.#requests.leave(entry)
  }

  /** Remembers a request that ended while the loop was blocked, for the coming report. */
  endedDuringBlock(labels: SeriesLabels): void {
    if (this.#endedDuringBlock.length < maxEndedDuringBlock) this.#endedDuringBlock.push(labels)
  }

  /** One check: reports a block if this check runs at least `thresholdMs` late. The timer calls it. */
  check(): void {
    const now = this.#now()
    const lateness = now - this.#lastCheckAt - this.checkIntervalMs
    this.#lastCheckAt = now
    this.alarmAt = now + this.checkIntervalMs + this.thresholdMs
    const ended = this.#endedDuringBlock
    this.#endedDuringBlock = []
    if (lateness >= this.thresholdMs && !this.#closed)
      this.#onBlocked(this.#report(lateness, ended))
  }

  /** Stops the timer and forgets the in-flight list. Idempotent. */
  close(): void {
    this.#closed = true
    clearInterval(this.#timer)
  }

  #report(durationMs: number, ended: SeriesLabels[]): BlockedLoopReport {
    const groups = new Map<
      string,
      { method: string | undefined; route: string | undefined; count: number }
    >()
    const add = (method: string | undefined, route: string | undefined): void => {
      const key = `${method}\u0000${route}`
      const group = groups.get(key)
      if (group === undefined) groups.set(key, { method, route, count: 1 })
      else group.count++
    }
    for (const entry of this.#requests) add(entry.method, entry.route)
    for (const labels of ended) add(labels.method, labels.route)
    const requests: BlockedRequestGroup[] = [...groups.values()].sort((a, b) => b.count - a.count)
    return {
      durationMs,
      thresholdMs: this.thresholdMs,
      detectedAt: Date.now(),
      inFlight: this.#requests.size,
      requests,
    }
  }
}
