import { assertNumber, assertOptionsObject } from './option-validation.js'
import type {
  LoadProbe,
  LoadSample,
  OverloadGuardOptions,
  OverloadGuardStats,
  OverloadReason,
  OverloadStatus,
} from './overload-guard-options.js'
import { ProcessLoadProbe } from './process-load-probe.js'

const healthy: OverloadStatus = Object.freeze({ overloaded: false })

interface Limit {
  readonly reason: OverloadReason
  readonly option: string
  readonly max: number
  readonly measure: (sample: LoadSample) => number
  readonly describe: (value: number) => string
}

/**
 * Load shedding in the spirit of `@fastify/under-pressure`, framework-agnostic: one unref'd timer
 * samples the process every `sampleIntervalMs`, judges the interval's p99 (or max) event-loop delay,
 * the interval's utilization and memory against their limits, with hysteresis; `check()` only
 * returns the cached verdict, so it costs a field read per request.
 */
export class OverloadGuard implements Disposable {
  /** The `Retry-After` seconds for shed requests. */
  readonly retryAfterSeconds: number
  readonly #limits: readonly Limit[]
  readonly #recoverySamples: number
  readonly #recoveryRatio: number
  readonly #probe: LoadProbe
  readonly #timer: NodeJS.Timeout
  #status: OverloadStatus = healthy
  #calmSamples = 0
  #shed = 0
  #samples = 0
  #lastSample: LoadSample | undefined
  #closed = false

  constructor(options: OverloadGuardOptions) {
    assertOptionsObject('createOverloadGuard', options)
    const given = options ?? {}
    const statistic = given.eventLoopDelayStatistic ?? 'p99'
    if (statistic !== 'p99' && statistic !== 'max') {
      throw new TypeError(
        `eventLoopDelayStatistic must be 'p99' or 'max', got ${String(statistic)}`,
      )
    }
    this.#limits = limitsOf(given, statistic)
    if (
      given.probe !== undefined &&
      (typeof given.probe?.read !== 'function' || typeof given.probe?.close !== 'function')
    ) {
      throw new TypeError('probe must be an object with read() and close() methods')
    }
    const intervalMs = assertNumber('sampleIntervalMs', given.sampleIntervalMs, 1000, {
      min: 10,
      max: 60_000,
    })
    this.retryAfterSeconds = assertNumber('retryAfterSeconds', given.retryAfterSeconds, 10, {
      min: 0,
      max: 86_400,
      integer: true,
    })
    this.#recoverySamples = assertNumber('recoverySamples', given.recoverySamples, 2, {
      min: 1,
      max: 1000,
      integer: true,
    })
    this.#recoveryRatio = assertNumber('recoveryRatio', given.recoveryRatio, 0.8, {
      min: 0,
      max: 1,
      minExclusive: true,
    })
    this.#probe =
      given.probe ??
      new ProcessLoadProbe({
        intervalMs,
        delayStatistic: statistic,
        readHeap: given.maxHeapUsedBytes !== undefined,
        readRss: given.maxRssBytes !== undefined,
      })
    this.#timer = setInterval(() => this.sample(), intervalMs)
    this.#timer.unref()
  }

  /** The current verdict; counts a shed request when overloaded. Allocation-free. */
  check(): OverloadStatus {
    const status = this.#status
    if (status.overloaded) this.#shed++
    return status
  }

  /** Counters and the latest sample. */
  stats(): OverloadGuardStats {
    return {
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

  [Symbol.dispose](): void {
    this.close()
  }
}

/**
 * Creates an {@link OverloadGuard}: adapters call `guard.check()` per request and answer
 * `{ overloaded: true }` with 503 and `Retry-After: guard.retryAfterSeconds`.
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
    range: { max: number },
    measure: (sample: LoadSample) => number,
    describe: (value: number) => string,
  ) => {
    const value = options[option]
    if (value === undefined) return
    const max = assertNumber(option, value, 0, { min: 0, max: range.max, minExclusive: true })
    limits.push({ reason, option, max, measure, describe })
  }
  add(
    'eventLoopDelay',
    'maxEventLoopDelayMs',
    { max: 3_600_000 },
    (sample) => sample.eventLoopDelayMs,
    (value) => `event loop delay (${statistic}) ${Math.round(value)} ms`,
  )
  add(
    'eventLoopUtilization',
    'maxEventLoopUtilization',
    { max: 1 },
    (sample) => sample.eventLoopUtilization,
    (value) => `event loop utilization ${value.toFixed(3)}`,
  )
  add(
    'heapUsedBytes',
    'maxHeapUsedBytes',
    { max: Number.MAX_SAFE_INTEGER },
    (sample) => sample.heapUsedBytes,
    (value) => `heap used ${value} bytes`,
  )
  add(
    'rssBytes',
    'maxRssBytes',
    { max: Number.MAX_SAFE_INTEGER },
    (sample) => sample.rssBytes,
    (value) => `resident set ${value} bytes`,
  )
  if (limits.length === 0) {
    throw new TypeError(
      'createOverloadGuard needs at least one limit: maxEventLoopDelayMs, maxEventLoopUtilization, maxHeapUsedBytes or maxRssBytes',
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
