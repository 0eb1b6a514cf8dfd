import { type EventLoopUtilization, monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { LoadProbe, LoadSample } from '../types.js'

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>

/** What the process probe reads besides the event loop. */
export interface ProcessLoadProbeOptions {
  readonly intervalMs: number
  readonly delayStatistic: 'p99' | 'max'
  readonly readHeap: boolean
  readonly readRss: boolean
}

const resolutionMs = 10

/**
 * Samples this process: the interval's event-loop delay from its own `monitorEventLoopDelay`
 * (reset every read, minus the monitor's resolution), the interval's utilization (a delta of two
 * `eventLoopUtilization()` readings), and memory only when a memory limit asks for it.
 *
 * Node's delay monitor misses stalls inside timer and `setImmediate` callbacks, so the delay is
 * at least the sampling timer's own lateness, and utilization still sees every stall.
 */
export class ProcessLoadProbe implements LoadProbe {
  readonly #options: ProcessLoadProbeOptions
  readonly #monitor: IntervalHistogram
  #lastUtilization: EventLoopUtilization
  #lastReadAt: number

  constructor(options: ProcessLoadProbeOptions) {
    this.#options = options
    this.#monitor = monitorEventLoopDelay({ resolution: resolutionMs })
    this.#monitor.enable()
    this.#lastUtilization = performance.eventLoopUtilization()
    this.#lastReadAt = performance.now()
  }

  read(): LoadSample {
    const now = performance.now()
    const lateness = now - this.#lastReadAt - this.#options.intervalMs
    this.#lastReadAt = now
    const utilization = performance.eventLoopUtilization()
    const sample: LoadSample = {
      eventLoopDelayMs: Math.max(0, lateness, this.#monitorDelayMs()),
      eventLoopUtilization: performance.eventLoopUtilization(utilization, this.#lastUtilization)
        .utilization,
      heapUsedBytes: this.#options.readHeap ? process.memoryUsage().heapUsed : 0,
      rssBytes: this.#options.readRss ? process.memoryUsage.rss() : 0,
    }
    this.#lastUtilization = utilization
    this.#monitor.reset()
    return sample
  }

  close(): void {
    this.#monitor.disable()
  }

  #monitorDelayMs(): number {
    const monitor = this.#monitor
    if (monitor.count === 0) return 0
    const delayNs = this.#options.delayStatistic === 'max' ? monitor.max : monitor.percentile(99)
    return (delayNs - resolutionMs * 1e6) / 1e6
  }
}
