import { startInterval } from '@loopwork/internal'
import * as option from '@loopwork/internal/options'
import { ProcessLoadProbe } from './internal/process-load-probe.js'
import type {
  LoadProbe,
  LoadSample,
  OverloadGuardOptions,
  OverloadGuardStats,
  OverloadReason,
  OverloadStatus,
} from './types.js'

const healthy: OverloadStatus = Object.freeze({ overloaded: false })

/** A share in (0, 1]: 0 would make a limit that is always exceeded, or a recovery that never comes. */
const shareOption: option.Check<number> = (name, value) => {
  if (typeof value === 'number' && value > 0 && value <= 1) return value
  throw option.invalid(name, value, 'a number greater than 0 and at most 1')
}

const probeOption: option.Check<LoadProbe> = (name, value) => {
  const probe = value as Partial<LoadProbe> | null
  if (typeof probe?.read === 'function' && typeof probe.close === 'function')
    return value as LoadProbe
  throw option.invalid(name, value, 'an object with read() and close() methods')
}

const guardOptions = {
  name: option.name,
  maxEventLoopDelayMs: option.duration({ min: 1 }),
  maxEventLoopUtilization: shareOption,
  maxHeapUsedBytes: option.integer({ min: 1 }),
  maxRssBytes: option.integer({ min: 1 }),
  retryAfterSeconds: option.integer({ min: 0, max: 86_400 }),
  sampleIntervalMs: option.duration({ min: 10 }),
  eventLoopDelayStatistic: option.oneOf(['p99', 'max']),
  recoverySamples: option.integer({ min: 1, max: 1000 }),
  recoveryRatio: shareOption,
  probe: probeOption,
}

interface Limit {
  readonly reason: OverloadReason
  readonly option: string
  readonly max: number
  readonly measure: (sample: LoadSample) => number
  readonly describe: (value: number) => string
}

/**
 * Load shedding for any framework: one unref'd timer samples the process every
 * `sampleIntervalMs` and judges the interval's p99 (or max) event-loop delay, the interval's
 * utilization and memory against their limits, with hysteresis; `check()` only returns the cached
 * verdict, so it costs a field read per request. Create it with {@link createOverloadGuard}.
 */
export class OverloadGuard implements Disposable {
  /** The guard's name, from the `name` option. */
  readonly name: string
  /** The `Retry-After` seconds for shed requests. */
  readonly retryAfterSeconds: number
  readonly #limits: readonly Limit[]
  readonly #recoverySamples: number
  readonly #recoveryRatio: number
  readonly #probe: LoadProbe
  readonly #timer: ReturnType<typeof setInterval> | undefined
  #status: OverloadStatus = healthy
  #calmSamples = 0
  #shed = 0
  #samples = 0
  #lastSample: LoadSample | undefined
  #closed = false

  /**
   * Checks the options (throwing before any timer starts) and starts sampling.
   *
   * @example new OverloadGuard({ maxEventLoopDelayMs: 200 })
   */
  constructor(options: OverloadGuardOptions) {
    const given = option.check('createOverloadGuard() options', options, guardOptions) ?? {}
    const statistic = given.eventLoopDelayStatistic ?? 'p99'
    this.#limits = limitsOf(given, statistic)
    const intervalMs = given.sampleIntervalMs ?? 1000
    this.name = given.name ?? 'overload-guard'
    this.retryAfterSeconds = given.retryAfterSeconds ?? 10
    this.#recoverySamples = given.recoverySamples ?? 2
    this.#recoveryRatio = given.recoveryRatio ?? 0.8
    this.#probe =
      given.probe ??
      new ProcessLoadProbe({
        intervalMs,
        delayStatistic: statistic,
        readHeap: given.maxHeapUsedBytes !== undefined,
        readRss: given.maxRssBytes !== undefined,
      })
    this.#timer = startInterval(() => this.sample(), intervalMs)
  }

  /** The current verdict; counts a shed request when overloaded. Allocation-free. */
  check(): OverloadStatus {
    const status = this.#status
    if (status.overloaded) this.#shed++
    return status
  }

  /** The guard's name, counters and latest sample, in a fresh object. */
  stats(): OverloadGuardStats {
    return {
      name: this.name,
      waiting: 0,
      overloaded: this.#status.overloaded,
      reason: this.#status.reason,
      shed: this.#shed,
      samples: this.#samples,
      lastSample: this.#lastSample,
    }
  }

  /** Takes one sample and updates the verdict. The guard's timer calls it every `sampleIntervalMs`. */
  sample(): void {
    if (this.#closed) return
    let sample: LoadSample
    try {
      sample = this.#probe.read()
    } catch (error) {
      // A custom probe failing must not crash the process from a timer; the verdict stays as it was.
      process.emitWarning(error instanceof Error ? error : new Error(String(error)))
      return
    }
    this.#samples++
    this.#lastSample = sample
    const exceeded = this.#limits.find((limit) => limit.measure(sample) > limit.max)
    if (exceeded !== undefined) {
      this.#calmSamples = 0
      if (this.#status.reason !== exceeded.reason)
        this.#status = overloadedStatus(exceeded, sample, this.retryAfterSeconds)
      return
    }
    if (!this.#status.overloaded) return
    const calm = this.#limits.every(
      (limit) => limit.measure(sample) <= limit.max * this.#recoveryRatio,
    )
    this.#calmSamples = calm ? this.#calmSamples + 1 : 0
    if (this.#calmSamples >= this.#recoverySamples) {
      this.#calmSamples = 0
      this.#status = healthy
    }
  }

  /** Stops sampling and releases the probe; `check()` answers "not overloaded" from then on. Idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    this.#status = healthy
    this.#probe.close()
  }

  /** The same as {@link close}, for `using guard = createOverloadGuard(...)`. */
  [Symbol.dispose](): void {
    this.close()
  }
}

/**
 * Creates an {@link OverloadGuard}: adapters call `guard.check()` per request and answer
 * `{ overloaded: true }` with 503 and `Retry-After: guard.retryAfterSeconds`. Throws a `TypeError`
 * or `RangeError` with code `LOOPWORK_INVALID_OPTION` naming the option for a bad option, and a
 * `TypeError` when no limit is set.
 *
 * @example
 * const guard = createOverloadGuard({ maxEventLoopDelayMs: 200, maxEventLoopUtilization: 0.98 })
 * const status = guard.check() // { overloaded: false } or { overloaded: true, reason, message, retryAfterSeconds }
 */
export function createOverloadGuard(options: OverloadGuardOptions): OverloadGuard {
  return new OverloadGuard(options)
}

function limitsOf(options: OverloadGuardOptions, statistic: 'p99' | 'max'): Limit[] {
  const limits: Limit[] = []
  const add = (
    reason: OverloadReason,
    option: keyof OverloadGuardOptions,
    measure: (sample: LoadSample) => number,
    describe: (value: number) => string,
  ) => {
    const max = options[option]
    if (typeof max === 'number') limits.push({ reason, option, max, measure, describe })
  }
  add(
    'eventLoopDelay',
    'maxEventLoopDelayMs',
    (sample) => sample.eventLoopDelayMs,
    (value) => `event loop delay (${statistic}) ${Math.round(value)} ms`,
  )
  add(
    'eventLoopUtilization',
    'maxEventLoopUtilization',
    (sample) => sample.eventLoopUtilization,
    (value) => `event loop utilization ${value.toFixed(3)}`,
  )
  add(
    'heapUsedBytes',
    'maxHeapUsedBytes',
    (sample) => sample.heapUsedBytes,
    (value) => `heap used ${value} bytes`,
  )
  add(
    'rssBytes',
    'maxRssBytes',
    (sample) => sample.rssBytes,
    (value) => `resident set ${value} bytes`,
  )
  if (limits.length === 0) {
    throw option.invalid(
      'createOverloadGuard() options',
      options,
      'an object with at least one limit: maxEventLoopDelayMs, maxEventLoopUtilization, maxHeapUsedBytes or maxRssBytes',
    )
  }
  return limits
}

function overloadedStatus(
  limit: Limit,
  sample: LoadSample,
  retryAfterSeconds: number,
): OverloadStatus {
  return Object.freeze({
    overloaded: true,
    reason: limit.reason,
    message: `${limit.describe(limit.measure(sample))} exceeds ${limit.option} (${limit.max})`,
    retryAfterSeconds,
  })
}
