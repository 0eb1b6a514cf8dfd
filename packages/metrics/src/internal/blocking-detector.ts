/**
 * Blocked-loop detection: the detector behind `metrics.detectBlocking()`, the requests it keeps in
 * flight for its reports, and the totals it feeds into `eventloop_blocks_total` and
 * `eventloop_blocked_seconds_total`.
 */
import { LinkedList, startInterval } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { Counter } from 'prom-client'
import type {
  BlockedLoopReport,
  BlockedRequestGroup,
  BlockingDetection,
  DetectBlockingOptions,
  RequestStartLabels,
} from '../types.js'
import type { SeriesLabels } from './exposition.js'
import type { RegistrableMetric } from './registration.js'

/** Ended-during-a-block requests kept for one report; a bound, since a block can end thousands. */
const maxEndedDuringBlock = 1_000

const blockingOptions = {
  thresholdMs: option.duration({ min: 1 }),
  onBlocked: option.function,
  checkIntervalMs: option.duration({ min: 1 }),
}

/** One request in flight, as far as it is known at its start: a node of the in-flight list. */
export interface InFlightRequest {
  readonly method: string | undefined
  readonly route: string | undefined
  previous: InFlightRequest | undefined
  next: InFlightRequest | undefined
}

/** Reports kept for the status page: the latest blocks, oldest first. */
const recentReportLimit = 20

/**
 * How many blocks were detected and how long they lasted, for the block counters, and the latest
 * reports for the status page (a bounded list: a block is rare, its report small).
 */
export class BlockTotals {
  count = 0
  seconds = 0
  /** The latest reports, oldest first, at most 20. */
  readonly recent: BlockedLoopReport[] = []

  /** Counts one block and keeps its report. */
  add(report: BlockedLoopReport): void {
    this.count++
    this.seconds += report.durationMs / 1000
    if (this.recent.length === recentReportLimit) this.recent.shift()
    this.recent.push(report)
  }

  /** The counters to register, read at scrape time. */
  metrics(prefix: string): RegistrableMetric[] {
    const counter = (name: string, help: string, read: () => number) =>
      new Counter({
        name: `${prefix}${name}`,
        help,
        registers: [],
        collect(this: Counter<string>) {
          this.reset()
          this.inc(read())
        },
      })
    return [
      counter(
        'eventloop_blocks_total',
        'Times the blocked-loop detector saw the loop blocked past its threshold.',
        () => this.count,
      ),
      counter(
        'eventloop_blocked_seconds_total',
        'Time the event loop spent in detected blocks.',
        () => this.seconds,
      ),
    ]
  }
}

/**
 * Detects a blocked event loop with one unref'd interval timer: when a check runs later than
 * scheduled by at least `thresholdMs`, nothing else could run in between. It measures its own
 * lateness rather than reading `monitorEventLoopDelay`, which on Node 24 misses blocks that happen
 * inside timer and `setImmediate` callbacks (a 300 ms block in a `setTimeout` callback left its max
 * at 13 ms).
 *
 * The requests in flight are kept in an intrusive list while it runs, so entering and leaving cost
 * one small object and no hashing.
 */
export class BlockingDetector implements BlockingDetection {
  readonly thresholdMs: number
  readonly checkIntervalMs: number
  /**
   * A request ending after this instant ends inside a block (the loop is stuck beyond the threshold
   * past the check that should have run). Requests compare with one number on their way out.
   */
  alarmAt: number
  readonly #requests = new LinkedList<InFlightRequest>()
  #endedDuringBlock: SeriesLabels[] = []
  #lastCheckAt: number
  readonly #timer: ReturnType<typeof setInterval> | undefined
  readonly #onBlocked: (report: BlockedLoopReport) => void
  readonly #totals: BlockTotals | undefined
  readonly #now: () => number
  #closed = false

  /** Checks `given` (throwing before anything starts) and starts the timer. */
  constructor(
    given: DetectBlockingOptions,
    now: () => number = () => performance.now(),
    totals?: BlockTotals,
  ) {
    const options = option.check('detectBlocking() options', given, blockingOptions)
    if (options?.onBlocked === undefined) {
      throw option.invalid('onBlocked', options?.onBlocked, 'a function')
    }
    this.thresholdMs = options.thresholdMs ?? 100
    this.checkIntervalMs =
      options.checkIntervalMs ?? Math.min(50, Math.max(5, this.thresholdMs / 4))
    this.#onBlocked = options.onBlocked
    this.#totals = totals
    this.#now = now
    this.#lastCheckAt = now()
    this.alarmAt = this.#lastCheckAt + this.checkIntervalMs + this.thresholdMs
    this.#timer = startInterval(() => this.check(), this.checkIntervalMs)
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** Records a request as in flight. */
  enter(start: RequestStartLabels | undefined): InFlightRequest {
    const entry: InFlightRequest = {
      method: start?.method,
      route: start?.route,
      previous: undefined,
      next: undefined,
    }
    this.#requests.push(entry)
    return entry
  }

  /** Takes a request out of the in-flight list; called once per entry. */
  leave(entry: InFlightRequest): void {
    this.#requests.remove(entry)
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
    if (lateness >= this.thresholdMs && !this.#closed) {
      const report = this.#report(lateness, ended)
      this.#totals?.add(report)
      this.#onBlocked(report)
    }
  }

  /** Stops the timer. Idempotent. */
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
    for (let entry = this.#requests.head; entry !== undefined; entry = entry.next) {
      add(entry.method, entry.route)
    }
    for (const labels of ended) add(labels.method, labels.route)
    const requests: BlockedRequestGroup[] = [...groups.values()].sort((a, b) => b.count - a.count)
    return {
      durationMs,
      thresholdMs: this.thresholdMs,
      detectedAt: Date.now(),
      inFlight: this.#requests.length,
      requests,
    }
  }
}
